import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { uniquely } from "../core/unique";
import { featureServiceProjections, featureServices, featureViews } from "../db/schema";
import { currentSpecs } from "./feature-views/spec-store";
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
  return [...wanted].map(([viewName, names]) => {
    const view = byName.get(viewName);
    const index = refs.findIndex((r) => r.startsWith(`${viewName}:`));
    if (!view)
      throw new InvalidError(
        `features.${index}: feature view "${viewName}" does not exist`,
        `features.${index}`,
      );
    const fields = new Set(view.spec.fields.map((f) => f.name));
    if (names.includes("*") && names.length > 1)
      throw new InvalidError(
        `features.${index}: "${viewName}:*" cannot be combined with single features`,
        `features.${index}`,
      );
    for (const n of names) {
      if (n !== "*" && !fields.has(n)) {
        const i = refs.indexOf(`${viewName}:${n}`);
        throw new InvalidError(
          `features.${i}: feature view "${viewName}" has no feature "${n}"`,
          `features.${i}`,
        );
      }
    }
    return { featureViewId: view.id, featureNames: names, position: [...wanted.keys()].indexOf(viewName) };
  });
}

async function write(ctx: Ctx, input: z.input<typeof CreateFeatureServiceInput>, mode: "create" | "update") {
  const { project, features, ...data } = parseInput(CreateFeatureServiceInput, input);
  return inTransaction(ctx, async (tx) => {
    const p = await authorize(tx, project, "definitions.write");
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
    }
    await tx.db
      .insert(featureServiceProjections)
      .values(projections.map((pr) => ({ ...pr, featureServiceId: id })));
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

export function createFeatureService(args: { ctx: Ctx; input: z.input<typeof CreateFeatureServiceInput> }) {
  return write(args.ctx, args.input, "create");
}

export function updateFeatureService(args: { ctx: Ctx; input: z.input<typeof CreateFeatureServiceInput> }) {
  return write(args.ctx, args.input, "update");
}

/** A service with its features as "view:feature" references, in the order they were given per view. */
export async function getFeatureService({ ctx, input }: { ctx: Ctx; input: z.input<typeof GetInput> }) {
  const { project, name } = parseInput(GetInput, input);
  const p = await authorize(ctx, project, "definitions.read");
  const [svc] = await ctx.db
    .select()
    .from(featureServices)
    .where(and(eq(featureServices.projectId, p.id), eq(featureServices.name, name)))
    .limit(1);
  if (!svc) throw new NotFoundError(`feature service "${name}" not found in project "${project}"`, "name");
  const projections = await ctx.db
    .select({ view: featureViews.name, featureNames: featureServiceProjections.featureNames })
    .from(featureServiceProjections)
    .innerJoin(featureViews, eq(featureViews.id, featureServiceProjections.featureViewId))
    .where(eq(featureServiceProjections.featureServiceId, svc.id))
    .orderBy(asc(featureServiceProjections.position));
  return {
    ...svc,
    projections,
    features: projections.flatMap((pr) => pr.featureNames.map((f) => `${pr.view}:${f}`)),
  };
}

export async function listFeatureServices({ ctx, input }: { ctx: Ctx; input: { project: string } }) {
  const p = await authorize(ctx, parseInput(Name, input.project), "definitions.read");
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
  return services.map((s) => ({
    ...s,
    features: projections
      .filter((pr) => pr.serviceId === s.id)
      .flatMap((pr) => pr.featureNames.map((f) => `${pr.view}:${f}`)),
  }));
}
