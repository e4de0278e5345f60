import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import type { ValueType } from "../core/vocabulary";
import type { Db } from "../db/client";
import {
  featureServiceOnDemandProjections,
  featureServices,
  featureViews,
  onDemandViews,
  onDemandViewVersions,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import { currentSpecs } from "../registry/feature-views/spec-store";
import { refuseServedNameTaken } from "../registry/served-names";
import { compileOnDemand, type InputTypes } from "./engine";
import { OnDemandViewSpec } from "./spec";

/**
 * On-demand feature views in the registry (docs/adr/0036-on-demand-features.md): a versioned head
 * like feature views. Every write type-checks the expressions against the input views as they are
 * now and refuses, naming the field, anything that would not compute.
 */

const Scoped = z.object({ project: Name });
export const CreateOnDemandViewInput = Scoped.extend({ spec: OnDemandViewSpec });
export const UpdateOnDemandViewInput = Scoped.extend({
  /** The version this edit was made against; a stale one is refused as a conflict. */
  baseVersion: z.number().int().positive(),
  spec: OnDemandViewSpec,
});
export const GetOnDemandViewInput = Scoped.extend({
  name: Name,
  /** A past version; the current one when omitted. */
  version: z.number().int().positive().optional(),
});
const NamedInput = Scoped.extend({ name: Name });

const Tags = z.record(z.string(), z.string());
export const OnDemandViewOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: Tags,
  owner: z.string(),
  currentVersion: z.number(),
  /** The version whose spec this is. */
  version: z.number(),
  spec: OnDemandViewSpec,
  versionCreatedAt: z.date(),
  versionCreatedBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type OnDemandViewOut = z.infer<typeof OnDemandViewOut>;
const Written = z.object({ id: z.string(), name: z.string(), version: z.number(), changed: z.boolean() });

/** The types of the feature views the spec's inputs name, as the registry holds them now. */
export async function inputTypesOf(db: Db, projectId: string, inputs: string[]): Promise<InputTypes> {
  const names = [...new Set(inputs.map((r) => r.split(":")[0] ?? ""))];
  const types: InputTypes = new Map();
  if (names.length === 0) return types;
  for (const v of await currentSpecs(db, projectId, inArray(featureViews.name, names)))
    types.set(v.name, new Map(v.spec.fields.map((f) => [f.name, f.dtype as ValueType])));
  return types;
}

/** Checks the spec against the registry: its expressions compile against the inputs' types. */
async function checkSpec(ctx: Ctx, projectId: string, spec: OnDemandViewSpec): Promise<void> {
  compileOnDemand(spec, await inputTypesOf(ctx.db, projectId, spec.inputs));
}

export const createOnDemandViewOp = defineOperation({
  name: "onDemandViews.create",
  summary: "Register an on-demand feature view: version 1 of its CEL expressions, type-checked.",
  kind: "mutation",
  access: "definitions.write",
  doors: ["trpc", "rest", "cli"],
  input: CreateOnDemandViewInput,
  output: Written,
  run: ({ ctx, input: { spec }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      await refuseServedNameTaken(tx, p.id, spec.name, "on-demand view", "name");
      await checkSpec(tx, p.id, spec);
      const [taken] = await tx.db
        .select({ id: onDemandViews.id })
        .from(onDemandViews)
        .where(and(eq(onDemandViews.projectId, p.id), eq(onDemandViews.name, spec.name)))
        .limit(1);
      if (taken) throw new ConflictError(`on-demand view "${spec.name}" already exists`, "name");
      const [view] = await tx.db
        .insert(onDemandViews)
        .values({ ...headOf(spec), projectId: p.id, currentVersion: 1 })
        .returning({ id: onDemandViews.id });
      if (!view) throw new Error("insert returned no row");
      await tx.db
        .insert(onDemandViewVersions)
        .values({ onDemandViewId: view.id, version: 1, spec, createdBy: actorLabel(tx.actor) });
      await recordAudit(tx, {
        project: p,
        action: "on_demand_view.create",
        objectType: "on_demand_view",
        objectName: spec.name,
        after: { version: 1, spec },
      });
      return { id: view.id, name: spec.name, version: 1, changed: true };
    }),
});
export const createOnDemandView = createOnDemandViewOp.call;

function headOf(spec: OnDemandViewSpec) {
  return { name: spec.name, description: spec.description, tags: spec.tags, owner: spec.owner };
}

export const updateOnDemandViewOp = defineOperation({
  name: "onDemandViews.update",
  summary: "Write a new version of an on-demand view, based on the version the caller last read.",
  kind: "mutation",
  access: "definitions.write",
  doors: ["trpc", "rest", "cli"],
  input: UpdateOnDemandViewInput,
  output: Written,
  run: ({ ctx, input: { project, baseVersion, spec }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const [view] = await tx.db
        .select({ id: onDemandViews.id, currentVersion: onDemandViews.currentVersion })
        .from(onDemandViews)
        .where(and(eq(onDemandViews.projectId, p.id), eq(onDemandViews.name, spec.name)))
        .limit(1)
        .for("update");
      if (!view)
        throw new NotFoundError(`on-demand view "${spec.name}" not found in project "${project}"`, "name");
      if (baseVersion !== view.currentVersion)
        throw new ConflictError(
          `on-demand view "${spec.name}" is at version ${view.currentVersion}; your edit was based on version ${baseVersion}. Reload and apply your change again.`,
          "baseVersion",
        );
      const current = await versionSpec(tx.db, view.id, baseVersion, spec.name);
      if (JSON.stringify(current.spec) === JSON.stringify(spec))
        return { id: view.id, name: spec.name, version: baseVersion, changed: false };
      await checkSpec(tx, p.id, spec);
      const next = baseVersion + 1;
      await tx.db
        .update(onDemandViews)
        .set({ ...headOf(spec), currentVersion: next, updatedAt: new Date() })
        .where(eq(onDemandViews.id, view.id));
      await tx.db
        .insert(onDemandViewVersions)
        .values({ onDemandViewId: view.id, version: next, spec, createdBy: actorLabel(tx.actor) });
      await recordAudit(tx, {
        project: p,
        action: "on_demand_view.update",
        objectType: "on_demand_view",
        objectName: spec.name,
        before: { version: baseVersion, spec: current.spec },
        after: { version: next, spec },
      });
      return { id: view.id, name: spec.name, version: next, changed: true };
    }),
});
export const updateOnDemandView = updateOnDemandViewOp.call;

async function versionSpec(db: Db, viewId: string, version: number, name: string) {
  const [row] = await db
    .select()
    .from(onDemandViewVersions)
    .where(and(eq(onDemandViewVersions.onDemandViewId, viewId), eq(onDemandViewVersions.version, version)))
    .limit(1);
  if (!row) throw new NotFoundError(`on-demand view "${name}" has no version ${version}`, "version");
  return { ...row, spec: OnDemandViewSpec.parse(row.spec) };
}

export const getOnDemandViewOp = defineOperation({
  name: "onDemandViews.get",
  summary: "One on-demand view at its current version, or at a given one.",
  kind: "query",
  access: "definitions.read",
  doors: ["trpc", "rest", "cli"],
  input: GetOnDemandViewInput,
  output: OnDemandViewOut,
  run: async ({ ctx, input: { project, name, version }, project: p }) => {
    const [view] = await ctx.db
      .select()
      .from(onDemandViews)
      .where(and(eq(onDemandViews.projectId, p.id), eq(onDemandViews.name, name)))
      .limit(1);
    if (!view) throw new NotFoundError(`on-demand view "${name}" not found in project "${project}"`, "name");
    const ver = await versionSpec(ctx.db, view.id, version ?? view.currentVersion, name);
    return {
      id: view.id,
      name: view.name,
      description: view.description,
      tags: view.tags,
      owner: view.owner,
      currentVersion: view.currentVersion,
      version: ver.version,
      spec: ver.spec,
      versionCreatedAt: ver.createdAt,
      versionCreatedBy: ver.createdBy,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
    };
  },
});
export const getOnDemandView = getOnDemandViewOp.call;

/** The project's on-demand views at their current versions (all, or those named), by name. */
export async function currentOnDemandSpecs(db: Db, projectId: string, names?: string[]) {
  if (names && names.length === 0) return [];
  const rows = await db
    .select({
      id: onDemandViews.id,
      name: onDemandViews.name,
      description: onDemandViews.description,
      tags: onDemandViews.tags,
      owner: onDemandViews.owner,
      currentVersion: onDemandViews.currentVersion,
      createdAt: onDemandViews.createdAt,
      updatedAt: onDemandViews.updatedAt,
      spec: onDemandViewVersions.spec,
      versionCreatedAt: onDemandViewVersions.createdAt,
      versionCreatedBy: onDemandViewVersions.createdBy,
    })
    .from(onDemandViews)
    .innerJoin(
      onDemandViewVersions,
      and(
        eq(onDemandViewVersions.onDemandViewId, onDemandViews.id),
        eq(onDemandViewVersions.version, onDemandViews.currentVersion),
      ),
    )
    .where(
      and(eq(onDemandViews.projectId, projectId), names ? inArray(onDemandViews.name, names) : undefined),
    )
    .orderBy(asc(onDemandViews.name));
  return rows.map((r) => ({ ...r, version: r.currentVersion, spec: OnDemandViewSpec.parse(r.spec) }));
}

export const listOnDemandViewsOp = defineOperation({
  name: "onDemandViews.list",
  summary: "A project's on-demand views at their current versions, by name.",
  kind: "query",
  access: "definitions.read",
  doors: ["trpc", "rest", "cli"],
  input: Scoped,
  output: z.array(OnDemandViewOut),
  run: ({ ctx, project: p }) => currentOnDemandSpecs(ctx.db, p.id),
});
export const listOnDemandViews = listOnDemandViewsOp.call;

export const deleteOnDemandViewOp = defineOperation({
  name: "onDemandViews.delete",
  summary: "Delete an on-demand view and its versions; refused while a feature service lists it.",
  kind: "mutation",
  access: "definitions.write",
  doors: ["trpc", "rest", "cli"],
  input: NamedInput,
  output: z.object({ name: z.string(), deleted: z.literal(true) }),
  run: ({ ctx, input: { project, name }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const [view] = await tx.db
        .select({ id: onDemandViews.id, currentVersion: onDemandViews.currentVersion })
        .from(onDemandViews)
        .where(and(eq(onDemandViews.projectId, p.id), eq(onDemandViews.name, name)))
        .limit(1)
        .for("update");
      if (!view)
        throw new NotFoundError(`on-demand view "${name}" not found in project "${project}"`, "name");
      const users = await tx.db
        .select({ name: featureServices.name })
        .from(featureServiceOnDemandProjections)
        .innerJoin(
          featureServices,
          eq(featureServices.id, featureServiceOnDemandProjections.featureServiceId),
        )
        .where(eq(featureServiceOnDemandProjections.onDemandViewId, view.id))
        .orderBy(asc(featureServices.name));
      if (users.length > 0)
        throw new ConflictError(
          `on-demand view "${name}" is used by feature service ${users.map((u) => `"${u.name}"`).join(", ")}; remove it from them first`,
          "name",
        );
      const before = await versionSpec(tx.db, view.id, view.currentVersion, name);
      await tx.db.delete(onDemandViews).where(eq(onDemandViews.id, view.id));
      await recordAudit(tx, {
        project: p,
        action: "on_demand_view.delete",
        objectType: "on_demand_view",
        objectName: name,
        before: { version: view.currentVersion, spec: before.spec },
      });
      return { name, deleted: true as const };
    }),
});
export const deleteOnDemandView = deleteOnDemandViewOp.call;
