import "server-only";
import type { Ctx } from "../core/context";
import { type OutColumn, type Ref, resolveColumns } from "../serving/requests";
import { type ServingView, viewsByName } from "../serving/views";
import { type OnDemandPlan, onDemandViewsByName, planOnDemand, viewsToRead } from "./online";

/** What a list of feature references resolves to, for online, historical and dataset retrieval. */
export interface ResolvedFeatures {
  /** The regular features' columns. */
  columns: OutColumn[];
  /** The on-demand views' plan, when any reference names one. */
  onDemand?: OnDemandPlan;
  /** Every feature view to read: the columns' and the on-demand inputs'. */
  views: ServingView[];
}

/**
 * The one plan step of retrieval: splits references into regular columns and an on-demand plan
 * (names that are no feature view may be on-demand views; the two never share a name), and lists
 * the views to read. `mode` is where the inputs must be served: online for get-online-features,
 * offline for training sets.
 */
export async function resolveFeatures(
  ctx: Ctx,
  project: { id: string; name: string },
  refs: Ref[],
  fullNames: boolean,
  mode: "online" | "offline",
): Promise<ResolvedFeatures> {
  const names = [...new Set(refs.map((r) => r.view))];
  const known = await viewsByName(ctx, project.id, names);
  const odvs = await onDemandViewsByName(
    ctx,
    project.id,
    names.filter((n) => !known.has(n)),
  );
  const regularRefs = odvs.size === 0 ? refs : refs.filter((r) => !odvs.has(r.view));
  const columns =
    regularRefs.length === 0
      ? []
      : await resolveColumns(ctx, project, regularRefs, fullNames, { online: mode === "online" });
  const onDemand =
    odvs.size === 0 ? undefined : await planOnDemand(ctx, project, refs, odvs, fullNames, mode);
  const views = onDemand ? viewsToRead(columns, onDemand) : [...new Set(columns.map((c) => c.view))];
  return { columns, onDemand, views };
}
