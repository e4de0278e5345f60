import type { FeatureViewSpec, JoinKeyType } from "../registry/schemas";

/**
 * What serving needs of a feature view, read in two queries whatever the number of views: the
 * current version's spec and its entities' join keys. References a request makes to things that
 * do not exist are the request's fault, so they are InvalidErrors (400) naming the request field.
 */
export interface ServingView {
  id: string;
  name: string;
  /** The current version, whose spec this is. */
  version: number;
  spec: FeatureViewSpec;
  /** The view's join keys in entity order. */
  joinKeys: { name: string; valueType: JoinKeyType; entity: string }[];
}
