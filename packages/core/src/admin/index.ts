// Use cases of this area, one file per verb.

export * from "./create-organization";
export * from "./reanchor-audit-chain";
