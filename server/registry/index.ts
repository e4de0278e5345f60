import "server-only";

export * from "./consumers";
export * from "./data-sources";
export * from "./entities";
export * from "./feature-services";
export * from "./feature-views";
export * from "./lifecycle";
export * from "./offline-space";
export * from "./previews";
export * from "./projects";
export * from "./search";
export * from "./search-engines";
export * from "./search-objects";
