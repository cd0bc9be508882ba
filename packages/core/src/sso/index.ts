// Per-organisation OIDC single sign-on (issue #16.5): the owner's settings. The sign-in itself is
// a Better Auth plugin (packages/auth/src/sso.ts).
export * from "./fields";
export * from "./oidc";
export * from "./settings";
