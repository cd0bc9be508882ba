import { fieldError, isUniqueViolation } from "../errors";

/** The unique index that keeps the names of an organisation's active sites apart. */
const DUPLICATE_NAME = "sites_org_active_name_unique";

/**
 * The form's error for a name another active site of the organisation has, if that is why the
 * write failed; else the error itself. Creating, renaming and restoring a site can all collide.
 */
export function duplicateNameError(error: unknown): unknown {
  return isUniqueViolation(error, DUPLICATE_NAME)
    ? fieldError("conflict", "name", "duplicateName", "An active site with this name already exists.")
    : error;
}
