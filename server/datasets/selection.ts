import "server-only";
import type { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import type { PitView } from "../offline/historical/query";
import { answerOrder, type OnDemandColumn, type OnDemandPlan } from "../on-demand/online";
import { resolveFeatures } from "../on-demand/resolve";
import { getFeatureService } from "../registry/feature-services";
import type { JoinKeyType } from "../registry/schemas";
import { pitView } from "../serving/get-historical-features";
import { checkNameClashes, featureRefs, type OutColumn, serviceRefs } from "../serving/requests";
import type { ServingView } from "../serving/views";
import type { FeatureSelection } from "./schemas";

/** The column every entity source must have: the time as of which each row is read. */
export const TIMESTAMP_COLUMN = "event_timestamp";

/**
 * A dataset's feature selection resolved against the registry, exactly as the historical API
 * resolves its request (server/serving/requests.ts): the answer columns in order, the views they
 * come from (offline ones only) and the join keys the entity rows must carry.
 */
export interface Selection {
  columns: OutColumn[];
  views: ServingView[];
  pitViews: PitView[];
  /** Every join key the views need, in order of first use. */
  joinKeys: { name: string; valueType: JoinKeyType }[];
  featureService: { id: string; name: string } | undefined;
  /**
   * On-demand features, computed over the joined rows (docs/adr/0036-on-demand-features.md); their
   * input views are among `views`. With them, `order` is every dataset column in selection order.
   */
  onDemand?: OnDemandPlan;
  order?: (OutColumn | OnDemandColumn)[];
}

export async function resolveSelection(
  ctx: Ctx,
  project: { id: string; name: string },
  selection: z.output<typeof FeatureSelection>,
): Promise<Selection> {
  try {
    return await resolve(ctx, project, selection);
  } catch (e) {
    throw underSelection(e);
  }
}

async function resolve(
  ctx: Ctx,
  project: { id: string; name: string },
  selection: z.output<typeof FeatureSelection>,
): Promise<Selection> {
  let featureService: Selection["featureService"];
  const refs = selection.features
    ? featureRefs(selection.features)
    : await serviceRefs(ctx, project, selection.featureService ?? "");
  if (!selection.features) {
    const svc = await getFeatureService({
      ctx,
      input: { project: project.name, name: selection.featureService ?? "" },
    });
    featureService = { id: svc.id, name: svc.name };
  }
  const { columns, onDemand, views } = await resolveFeatures(
    ctx,
    project,
    refs,
    selection.fullFeatureNames,
    "offline",
  );
  // A saved dataset's entity rows carry join keys and times only: no request fields yet.
  const needy = onDemand?.views.find((v) => v.odv.spec.requestFields.length > 0);
  if (needy)
    throw new InvalidError(
      `on-demand view "${needy.odv.name}" needs request fields (${needy.odv.spec.requestFields.map((f) => f.name).join(", ")}), which saved datasets do not carry yet; use get-historical-features with them as entity columns`,
      "features",
    );
  const order = onDemand ? answerOrder(refs, columns, onDemand) : undefined;
  for (const v of views)
    if (!v.spec.offline)
      throw new InvalidError(
        `feature view "${v.name}" is not available offline (its spec says offline: false)`,
        "features",
      );
  const joinKeys: Selection["joinKeys"] = [];
  for (const v of views)
    for (const k of v.joinKeys)
      if (!joinKeys.some((j) => j.name === k.name)) joinKeys.push({ name: k.name, valueType: k.valueType });
  checkNameClashes(order ?? columns, [...joinKeys.map((k) => k.name), TIMESTAMP_COLUMN]);
  const pitViews = await Promise.all(
    views.map((v) => pitView(ctx, project.id, v, columns, onDemand?.inputs.get(v.name)?.features)),
  );
  return onDemand
    ? { columns, views, pitViews, joinKeys, featureService, onDemand, order }
    : { columns, views, pitViews, joinKeys, featureService };
}

/** The serving helpers name the historical API's fields; a dataset's live under `selection`. */
const FIELD_NAMES: Record<string, string> = {
  features: "selection.features",
  feature_service: "selection.featureService",
  full_feature_names: "selection.fullFeatureNames",
};

function underSelection(e: unknown): unknown {
  if (!(e instanceof InvalidError) || e.field === undefined) return e;
  const [head = "", ...rest] = e.field.split(".");
  const mapped = FIELD_NAMES[head];
  if (!mapped) return e;
  return new InvalidError(e.message, [mapped, ...rest].join("."));
}
