// Fixtures for the engine's tests and the API's integration tests
// (`import { compliantSite } from "@consentry/compliance/testing"`): builders of compliant facts,
// broken sample sites, and a generator of large organisations for benchmarks.

export * from "./testing/bench-data";
export * from "./testing/builders";
export * from "./testing/samples";
