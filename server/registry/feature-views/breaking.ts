import type { FeatureViewSpec } from "../schemas";

/**
 * What a new version of a view breaks for its readers, and whether its online values must be
 * rebuilt (docs/adr/0025-editing-and-deleting-registry-objects.md). Pure: featureViews.plan shows it,
 * featureViews.update acts on it.
 */

export const BREAKING_KINDS = [
  "dtype_changed",
  "feature_removed",
  "entities_changed",
  "source_changed",
  "ttl_shortened",
  "online_disabled",
] as const;
export type BreakingKind = (typeof BREAKING_KINDS)[number];

export interface BreakingChange {
  kind: BreakingKind;
  /** The feature it is about, when one. */
  feature?: string;
  message: string;
}

export function breakingChanges(before: FeatureViewSpec, after: FeatureViewSpec): BreakingChange[] {
  const found: BreakingChange[] = [];
  const next = new Map(after.fields.map((f) => [f.name, f]));
  for (const f of before.fields) {
    const now = next.get(f.name);
    if (!now)
      found.push({ kind: "feature_removed", feature: f.name, message: `feature "${f.name}" is removed` });
    else if (now.dtype !== f.dtype)
      found.push({
        kind: "dtype_changed",
        feature: f.name,
        message: `feature "${f.name}" changes type from ${f.dtype} to ${now.dtype}`,
      });
  }
  const sameEntities =
    before.entities.length === after.entities.length &&
    before.entities.every((e) => after.entities.includes(e));
  if (!sameEntities)
    found.push({
      kind: "entities_changed",
      message: `entities change from ${before.entities.join(", ")} to ${after.entities.join(", ")}: the view is keyed differently`,
    });
  if (before.source !== after.source)
    found.push({
      kind: "source_changed",
      message: `source changes from "${before.source}" to "${after.source}"`,
    });
  const shorter = after.ttlSeconds > 0 && (before.ttlSeconds === 0 || after.ttlSeconds < before.ttlSeconds);
  if (shorter)
    found.push({
      kind: "ttl_shortened",
      message: `ttl shortens from ${before.ttlSeconds === 0 ? "no limit" : `${before.ttlSeconds} s`} to ${after.ttlSeconds} s: older values read as OUTSIDE_MAX_AGE`,
    });
  if (before.online && !after.online)
    found.push({ kind: "online_disabled", message: "the view stops being served online" });
  return found;
}

export interface Rematerialization {
  /** Whether the online values should be rebuilt for the new version to be served fully. */
  needed: boolean;
  /**
   * Whether saving drops the view's online values and resets its watermark: the stored values mean
   * something else now (another type, another key, another source), so none may be served as the
   * new version's; reads answer NOT_FOUND until a run fills them again.
   */
  clearsOnlineValues: boolean;
  reasons: string[];
}

export function rematerializationOf(before: FeatureViewSpec, after: FeatureViewSpec): Rematerialization {
  const reasons: string[] = [];
  const breaking = breakingChanges(before, after);
  const clearing = breaking.filter(
    (b) => b.kind === "dtype_changed" || b.kind === "entities_changed" || b.kind === "source_changed",
  );
  for (const b of clearing) reasons.push(`${b.message}: stored values are dropped and the watermark reset`);
  const had = new Set(before.fields.map((f) => f.name));
  const added = after.fields.filter((f) => !had.has(f.name)).map((f) => f.name);
  if (added.length > 0 && clearing.length === 0)
    reasons.push(
      `new feature ${added.map((n) => `"${n}"`).join(", ")} has no online values until materialized`,
    );
  if (!before.online && after.online && clearing.length === 0)
    reasons.push("the view is served online again: its values may be stale");
  return {
    needed: after.online && reasons.length > 0,
    clearsOnlineValues: clearing.length > 0,
    reasons,
  };
}
