// Use cases of this area, one file per verb (installation exceptions together: one admin list).
export * from "./add-camera-network";
export * from "./fields";
export * from "./list-camera-networks";
export * from "./network-exceptions";
export * from "./remove-camera-network";
