// The use cases, below the API and the workers: they call in here, never the other way round.
export { DomainError, type DomainErrorKind, fieldError, isUniqueViolation, notFound } from "./errors";
export { requireSite, requireSubject, touchMaterialChange } from "./lookups";
