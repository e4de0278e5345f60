import "server-only";
import { consumers, dataSources, datasets, entities, featureServices, featureViews } from "../../db/schema";

/**
 * The registry's named object kinds that can be deleted or deprecated, with their table and how
 * messages and the audit log name them (docs/adr/0025-editing-and-deleting-registry-objects.md).
 */
export const REGISTRY_KINDS = {
  entity: { table: entities, label: "entity" },
  data_source: { table: dataSources, label: "data source" },
  feature_view: { table: featureViews, label: "feature view" },
  feature_service: { table: featureServices, label: "feature service" },
  consumer: { table: consumers, label: "consumer" },
  dataset: { table: datasets, label: "dataset" },
} as const;

export type RegistryKind = keyof typeof REGISTRY_KINDS;
/** Kinds a delete operation of this module removes (datasets have their own, server/datasets). */
export type DeletableKind = Exclude<RegistryKind, "dataset">;

export function labelOf(kind: RegistryKind): string {
  return REGISTRY_KINDS[kind].label;
}
