import "server-only";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { streamViewsNamed } from "../streams/registry";
import { type FeatureColumn, readStreamFeatures, streamRedis } from "../streams/serve";
import { consumerSpecOf } from "../streams/worker";
import { featureRefs } from "./requests";

/** get-online-features' answer (declared there; repeated here so the two modules import no cycle). */
interface OnlineFeaturesResponse {
  metadata: { feature_names: string[]; reasons?: Record<string, (string | null)[]> };
  results: FeatureColumn[];
}

/**
 * "streamview:feature" references in get-online-features (docs/adr/0037). Reached only when the
 * regular plan refused the request (a view name it does not know), so requests naming regular
 * views only pay nothing. Answers undefined when no referenced name is a stream view (the regular
 * error stands). Otherwise: the regular references through `regular` (the usual path), the stream
 * ones computed from their tiles at UTC now, merged in the request's order.
 */
export async function withStreamFeatures(
  ctx: Ctx,
  project: { id: string; name: string },
  req: { features?: string[]; entities: Record<string, unknown[]>; full_feature_names: boolean },
  maxValues: number,
  regular: (features: string[]) => Promise<OnlineFeaturesResponse>,
): Promise<OnlineFeaturesResponse | undefined> {
  if (!req.features) return undefined;
  const refs = featureRefs(req.features);
  const streams = await streamViewsNamed(ctx, project, [...new Set(refs.map((r) => r.view))]);
  if (streams.size === 0) return undefined;
  const joinKeyNames = Object.keys(req.entities);
  const rowCount = Math.max(0, ...Object.values(req.entities).map((v) => v.length));
  if (rowCount * refs.length > maxValues)
    throw new InvalidError(
      `batch too large: ${rowCount} rows x ${refs.length} features, limit ${maxValues} values (QUIVER_SERVING_MAX_VALUES)`,
      "entities",
    );
  const regularRefs = refs.filter((r) => !streams.has(r.view));
  refs.forEach((r, i) => {
    if (!streams.has(r.view) && r.feature === "*")
      throw new InvalidError(
        `features.${i}: "${r.label}" cannot be combined with stream view features yet: name the features`,
        `features.${i}`,
      );
  });
  const base = regularRefs.length > 0 ? await regular(regularRefs.map((r) => r.label)) : undefined;
  const at = new Date();
  const streamColumns = new Map<string, FeatureColumn>();
  for (const [name, view] of streams) {
    const wanted = [...new Set(refs.filter((r) => r.view === name).map((r) => r.feature))];
    const cols = await readStreamFeatures(
      await streamRedis(),
      "",
      consumerSpecOf({ ...view, project: project.name }),
      wanted,
      req.entities,
      at,
    );
    wanted.forEach((f, i) => {
      streamColumns.set(`${name}:${f}`, cols[i] as FeatureColumn);
    });
  }
  const names = [...joinKeyNames];
  const results: FeatureColumn[] = base
    ? base.results.slice(0, joinKeyNames.length)
    : joinKeyNames.map((k) => ({
        values: req.entities[k] ?? [],
        statuses: new Array(rowCount).fill("PRESENT"),
        event_timestamps: new Array(rowCount).fill("1970-01-01T00:00:00Z"),
      }));
  let next = joinKeyNames.length;
  for (const r of refs) {
    if (streams.has(r.view)) {
      names.push(req.full_feature_names ? `${r.view}__${r.feature}` : r.feature);
      results.push(streamColumns.get(`${r.view}:${r.feature}`) as FeatureColumn);
    } else {
      names.push(base?.metadata.feature_names[next] ?? r.feature);
      results.push(base?.results[next] as FeatureColumn);
      next++;
    }
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n))
      throw new InvalidError(
        `features: "${n}" is asked twice (use full_feature_names to tell views apart)`,
        "features",
      );
    seen.add(n);
  }
  // on-demand features among the regular ones keep their per-row reasons (docs/adr/0036)
  const reasons = base?.metadata.reasons;
  return { metadata: reasons ? { feature_names: names, reasons } : { feature_names: names }, results };
}
