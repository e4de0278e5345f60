import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { onDemandViews, onDemandViewVersions } from "../db/schema";
import { defineOperation } from "../operations/define";
import { diffOnDemandSpecs } from "./diff";
import { getOnDemandView } from "./registry";

/** The version history of an on-demand view and the diff of two of its versions (its page reads both). */

export const OnDemandVersionsInput = z.object({ project: Name, name: Name });
export const OnDemandDiffInput = z.object({
  project: Name,
  name: Name,
  from: z.number().int().positive(),
  to: z.number().int().positive(),
});

export const OnDemandVersionRow = z.object({
  version: z.number(),
  createdAt: z.date(),
  createdBy: z.string(),
});

export const OnDemandVersionDiff = z.object({
  name: z.string(),
  from: z.number(),
  to: z.number(),
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "changed"]),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
});

export const listOnDemandViewVersionsOp = defineOperation({
  name: "onDemandViews.versions",
  summary: "An on-demand view's versions, newest first.",
  kind: "query",
  access: "definitions.read",
  input: OnDemandVersionsInput,
  output: z.array(OnDemandVersionRow),
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const [view] = await ctx.db
      .select({ id: onDemandViews.id })
      .from(onDemandViews)
      .where(and(eq(onDemandViews.projectId, p.id), eq(onDemandViews.name, name)))
      .limit(1);
    if (!view) throw new NotFoundError(`on-demand view "${name}" not found in project "${project}"`, "name");
    return ctx.db
      .select({
        version: onDemandViewVersions.version,
        createdAt: onDemandViewVersions.createdAt,
        createdBy: onDemandViewVersions.createdBy,
      })
      .from(onDemandViewVersions)
      .where(eq(onDemandViewVersions.onDemandViewId, view.id))
      .orderBy(desc(onDemandViewVersions.version));
  },
});
export const listOnDemandViewVersions = listOnDemandViewVersionsOp.call;

export const diffOnDemandViewVersionsOp = defineOperation({
  name: "onDemandViews.diff",
  summary:
    "What changed between two versions of an on-demand view: inputs, request fields, expressions, metadata.",
  kind: "query",
  access: "definitions.read",
  input: OnDemandDiffInput,
  output: OnDemandVersionDiff,
  run: async ({ ctx, input: { project, name, from, to } }) => {
    // One at a time: a missing version is a 404 naming "version" either way.
    const a = await getOnDemandView({ ctx, input: { project, name, version: from } });
    const b = await getOnDemandView({ ctx, input: { project, name, version: to } });
    return { name, from, to, changes: diffOnDemandSpecs(a.spec, b.spec) };
  },
});
export const diffOnDemandViewVersions = diffOnDemandViewVersionsOp.call;
