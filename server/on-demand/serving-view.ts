import type { OnDemandViewSpec } from "./spec";

/** What serving needs of an on-demand view: its current version's spec (the registry cache holds it). */
export interface ServingOnDemandView {
  id: string;
  name: string;
  version: number;
  spec: OnDemandViewSpec;
}
