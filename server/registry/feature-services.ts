import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import type { Db } from "../db/client";
import {
  featureServiceOnDemandProjections,
  featureServiceProjections,
  featureServices,
  featureViews,
  onDemandViews,
  onDemandViewVersions,
} from "../db/schema";
import { OnDemandViewSpec } from "../on-demand/spec";
import { defineOperation } from "../operations/define";
import { currentSpecs } from "./feature-views/spec-store";
import * as out from "./outputs";
import { FeatureServiceInput } from "./schemas";

export const CreateFeatureServiceInput = FeatureServiceInput.extend({ project: Name });
const GetInput = z.object({ project: Name, name: Name });

/** Groups "view:feature" references by view, checking each view and feature exists. */
async function resolveProjections(ctx: Ctx, projectId: string, refs: string[]) {
  const wanted = new Map<string, string[]>();
  for (const ref of refs) {
    const [view = "", feature = ""] = ref.split(":");
    const list = wanted.get(view) ?? [];
    if (!list.includes(feature)) list.push(feature);
    wanted.set(view, list);
  }
  const views = await currentSpecs(ctx.db, projectId, inArray(featureViews.name, [...wanted.keys()]));
  const byName = new Map(views.map((v) => [v.name, v]));
  // Names that are no feature view may be on-demand views (docs/adr/0036-on-demand-features.md).
  const odvs = await onDemandFieldsOf(
    ctx.db,
    projectId,
    [...wanted.keys()].filter((n) => !byName.has(n)),
  );
  const regular: { featureViewId: string; featureNames: string[]; position: number }[] = [];
  const onDemand: { onDemandViewId: string; featureNames: string[]; position: number }[] = [];
  [...wanted].forEach(([viewName, names], position) => {
    const view = byName.get(viewName);
    const odv = odvs.get(viewName);
    const index = refs.findIndex((r) => r.startsWith(`${viewName}:`));
    if (!view && !odv)
      throw new InvalidError(
        `features.${index}: feature view "${viewName}" does not exist`,
        `features.${index}`,
      );
    const fields = view ? new Set(view.spec.fields.map((f) => f.name)) : (odv?.fields ?? new Set<string>());
    if (names.includes("*") && names.length > 1)
      throw new InvalidError(
        `features.${index}: "${viewName}:*" cannot be combined with single features`,
        `features.${index}`,
      );
    for (const n of names) {
      if (n !== "*" && !fields.has(n)) {
        const i = refs.indexOf(`${viewName}:${n}`);
        throw new InvalidError(
          `features.${i}: ${view ? "feature view" : "on-demand view"} "${viewName}" has no feature "${n}"`,
          `features.${i}`,
        );
      }
    }
    if (view) regular.push({ featureViewId: view.id, featureNames: names, position });
    else if (odv) onDemand.push({ onDemandViewId: odv.id, featureNames: names, position });
  });
  return { regular, onDemand };
}

/** The on-demand views with these names and their current fields. */
async function onDemandFieldsOf(db: Db, projectId: string, names: string[]) {
  if (names.length === 0) return new Map<string, { id: string; fields: Set<string> }>();
  const rows = await db
    .select({ id: onDemandViews.id, name: onDemandViews.name, spec: onDemandViewVersions.spec })
    .from(onDemandViews)
    .innerJoin(
      onDemandViewVersions,
      and(
        eq(onDemandViewVersions.onDemandViewId, onDemandViews.id),
        eq(onDemandViewVersions.version, onDemandViews.currentVersion),
      ),
    )
    .where(and(eq(onDemandViews.projectId, projectId), inArray(onDemandViews.name, names)));
  return new Map(
    rows.map((r) => [
      r.name,
      { id: r.id, fields: new Set(OnDemandViewSpec.parse(r.spec).fields.map((f) => f.name)) },
    ]),
  );
}

async function write(
  ctx: Ctx,
  p: ProjectRow,
  input: z.output<typeof CreateFeatureServiceInput>,
  mode: "create" | "update",
) {
  const { project, features, ...data } = input;
  return inTransaction(ctx, async (tx) => {
    const projections = await resolveProjections(tx, p.id, features);
    let id: string;
    let before: unknown;
    if (mode === "create") {
      const [row] = await uniquely(`feature service "${data.name}"`, () =>
        tx.db
          .insert(featureServices)
          .values({ ...data, projectId: p.id })
          .returning({ id: featureServices.id }),
      );
      if (!row) throw new Error("insert returned no row");
      id = row.id;
    } else {
      const current = await getFeatureService({ ctx: tx, input: { project, name: data.name } });
      id = current.id;
      before = current;
      await tx.db
        .update(featureServices)
        .set({ ...data, updatedAt: new Date() })
        .where(eq(featureServices.id, id));
      await tx.db.delete(featureServiceProjections).where(eq(featureServiceProjections.featureServiceId, id));
      await tx.db
        .delete(featureServiceOnDemandProjections)
        .where(eq(featureServiceOnDemandProjections.featureServiceId, id));
    }
    if (projections.regular.length > 0)
      await tx.db
        .insert(featureServiceProjections)
        .values(projections.regular.map((pr) => ({ ...pr, featureServiceId: id })));
    if (projections.onDemand.length > 0)
      await tx.db
        .insert(featureServiceOnDemandProjections)
        .values(projections.onDemand.map((pr) => ({ ...pr, featureServiceId: id })));
    const after = await getFeatureService({ ctx: tx, input: { project, name: data.name } });
    await recordAudit(tx, {
      project: p,
      action: `feature_service.${mode}`,
      objectType: "feature_service",
      objectName: data.name,
      before,
      after,
    });
    return after;
  });
}

export const createFeatureServiceOp = defineOperation({
  name: "featureServices.create",
  summary: "Register a feature service: a named set of features a model reads.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateFeatureServiceInput,
  output: out.FeatureService,
  run: ({ ctx, input, project }) => write(ctx, project, input, "create"),
});
export const createFeatureService = createFeatureServiceOp.call;

export const updateFeatureServiceOp = defineOperation({
  name: "featureServices.update",
  summary: "Replace a feature service's features and description.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateFeatureServiceInput,
  output: out.FeatureService,
  run: ({ ctx, input, project }) => write(ctx, project, input, "update"),
});
export const updateFeatureService = updateFeatureServiceOp.call;

/** A service with its features as "view:feature" references, in the order they were given per view. */
export const getFeatureServiceOp = defineOperation({
  name: "featureServices.get",
  summary: "One feature service with its features as view:feature references.",
  kind: "query",
  access: "definitions.read",
  input: GetInput,
  output: out.FeatureService,
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const [svc] = await ctx.db
      .select()
      .from(featureServices)
      .where(and(eq(featureServices.projectId, p.id), eq(featureServices.name, name)))
      .limit(1);
    if (!svc) throw new NotFoundError(`feature service "${name}" not found in project "${project}"`, "name");
    const projections = await serviceProjections(ctx.db, svc.id);
    return {
      ...svc,
      projections,
      features: projections.flatMap((pr) => pr.featureNames.map((f) => `${pr.view}:${f}`)),
    };
  },
});
export const getFeatureService = getFeatureServiceOp.call;

/**
 * A service's views (feature views and on-demand views) and their features, in the order given
 * (the registry cache loads them too).
 */
export async function serviceProjections(db: Db, serviceId: string) {
  const regular = await db
    .select({
      view: featureViews.name,
      featureNames: featureServiceProjections.featureNames,
      position: featureServiceProjections.position,
    })
    .from(featureServiceProjections)
    .innerJoin(featureViews, eq(featureViews.id, featureServiceProjections.featureViewId))
    .where(eq(featureServiceProjections.featureServiceId, serviceId))
    .orderBy(asc(featureServiceProjections.position));
  const onDemand = await db
    .select({
      view: onDemandViews.name,
      featureNames: featureServiceOnDemandProjections.featureNames,
      position: featureServiceOnDemandProjections.position,
    })
    .from(featureServiceOnDemandProjections)
    .innerJoin(onDemandViews, eq(onDemandViews.id, featureServiceOnDemandProjections.onDemandViewId))
    .where(eq(featureServiceOnDemandProjections.featureServiceId, serviceId));
  const all =
    onDemand.length === 0 ? regular : [...regular, ...onDemand].sort((a, b) => a.position - b.position);
  return all.map(({ view, featureNames }) => ({ view, featureNames }));
}

export const listFeatureServicesOp = defineOperation({
  name: "featureServices.list",
  summary: "A project's feature services with their features, by name.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name }),
  output: z.array(out.FeatureService),
  run: async ({ ctx, project: p }) => {
    const services = await ctx.db
      .select()
      .from(featureServices)
      .where(eq(featureServices.projectId, p.id))
      .orderBy(asc(featureServices.name));
    if (services.length === 0) return [];
    const projections = await ctx.db
      .select({
        serviceId: featureServiceProjections.featureServiceId,
        view: featureViews.name,
        featureNames: featureServiceProjections.featureNames,
        position: featureServiceProjections.position,
      })
      .from(featureServiceProjections)
      .innerJoin(featureViews, eq(featureViews.id, featureServiceProjections.featureViewId))
      .where(
        inArray(
          featureServiceProjections.featureServiceId,
          services.map((s) => s.id),
        ),
      )
      .orderBy(asc(featureServiceProjections.position));
    const onDemand = await ctx.db
      .select({
        serviceId: featureServiceOnDemandProjections.featureServiceId,
        view: onDemandViews.name,
        featureNames: featureServiceOnDemandProjections.featureNames,
        position: featureServiceOnDemandProjections.position,
      })
      .from(featureServiceOnDemandProjections)
      .innerJoin(onDemandViews, eq(onDemandViews.id, featureServiceOnDemandProjections.onDemandViewId))
      .where(
        inArray(
          featureServiceOnDemandProjections.featureServiceId,
          services.map((s) => s.id),
        ),
      );
    return services.map((s) => {
      const mine = projections.filter((pr) => pr.serviceId === s.id);
      const odv = onDemand.filter((pr) => pr.serviceId === s.id);
      // Projections come by position; on-demand ones slot in at theirs.
      const ordered = odv.length === 0 ? mine : [...mine, ...odv].sort((a, b) => a.position - b.position);
      return { ...s, features: ordered.flatMap((pr) => pr.featureNames.map((f) => `${pr.view}:${f}`)) };
    });
  },
});
export const listFeatureServices = listFeatureServicesOp.call;
