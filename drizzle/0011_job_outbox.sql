-- Placeholder: replaced by this migration's SQL.
SELECT 1;
