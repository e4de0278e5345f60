import "server-only";

export * from "./create";
export * from "./diff";
export * from "./get";
export * from "./plan";
export * from "./spec-store";
export * from "./update";
