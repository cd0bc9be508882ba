// Use cases of this area, one file per verb.

// Members live in ../members; re-exported here until package.json exports "./members".
export * from "../members";
export * from "./create-organization";
export * from "./reanchor-audit-chain";
