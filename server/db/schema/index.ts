export * from "./consumers";
export * from "./data-sources";
export * from "./entities";
export * from "./feature-services";
export * from "./feature-views";
export * from "./materialization-runs";
export * from "./online-values";
export * from "./projects";
