// Use cases of this area, one file per verb.
