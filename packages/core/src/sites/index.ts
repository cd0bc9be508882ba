export * from "./create-site";
export * from "./duplicate-name";
