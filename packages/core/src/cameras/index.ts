export * from "./csv";
export * from "./registry";
