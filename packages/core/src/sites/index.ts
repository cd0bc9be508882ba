export * from "./archive-site";
export * from "./create-site";
export * from "./duplicate-name";
export * from "./get-site";
export * from "./list-sites";
export * from "./restore-site";
export * from "./site-columns";
export * from "./update-site";
