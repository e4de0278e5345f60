import "server-only";

export * from "./delete";
export * from "./dependants";
export * from "./deprecate";
