import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import { entities, featureViewEntities, featureViews } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { EntityInput } from "./schemas";

export type EntityRow = typeof entities.$inferSelect;

const Scoped = z.object({ project: Name });
export const CreateEntityInput = EntityInput.extend({ project: Name });
export const GetEntityInput = Scoped.extend({ name: Name });

export const createEntityOp = defineOperation({
  name: "entities.create",
  summary: "Register an entity: a join key and its type.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateEntityInput,
  output: out.Entity,
  run: async ({ ctx, input: { project, ...data }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const [row] = await uniquely(`entity "${data.name}"`, () =>
        tx.db
          .insert(entities)
          .values({ ...data, projectId: p.id })
          .returning(),
      );
      await recordAudit(tx, {
        project: p,
        action: "entity.create",
        objectType: "entity",
        objectName: data.name,
        after: data,
      });
      return row as EntityRow;
    }),
});
export const createEntity = createEntityOp.call;

/** Replaces an entity's definition; its join key and type stay fixed while views use it. */
export const updateEntityOp = defineOperation({
  name: "entities.update",
  summary: "Replace an entity's definition; its join key and type stay fixed while views use it.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateEntityInput,
  output: out.Entity,
  run: async ({ ctx, input: { project, ...data }, project: p }) => {
    const current = await getEntity({ ctx, input: { project, name: data.name } });
    if (current.joinKey !== data.joinKey || current.valueType !== data.valueType) {
      const used = await ctx.db
        .select({ name: featureViews.name })
        .from(featureViewEntities)
        .innerJoin(featureViews, eq(featureViews.id, featureViewEntities.featureViewId))
        .where(eq(featureViewEntities.entityId, current.id))
        .orderBy(asc(featureViews.name));
      if (used.length > 0)
        throw new ConflictError(
          `entity "${data.name}" keys feature view ${used.map((v) => `"${v.name}"`).join(", ")}; its join key and value type cannot change while views use it`,
          current.joinKey !== data.joinKey ? "joinKey" : "valueType",
        );
    }
    return inTransaction(ctx, async (tx) => {
      const [row] = await tx.db
        .update(entities)
        .set({ ...data, updatedAt: new Date() })
        .where(eq(entities.id, current.id))
        .returning();
      await recordAudit(tx, {
        project: p,
        action: "entity.update",
        objectType: "entity",
        objectName: data.name,
        before: current,
        after: row,
      });
      return row as EntityRow;
    });
  },
});
export const updateEntity = updateEntityOp.call;

export const getEntityOp = defineOperation({
  name: "entities.get",
  summary: "One entity by name.",
  kind: "query",
  access: "definitions.read",
  input: GetEntityInput,
  output: out.Entity,
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const [row] = await ctx.db
      .select()
      .from(entities)
      .where(and(eq(entities.projectId, p.id), eq(entities.name, name)))
      .limit(1);
    if (!row) throw new NotFoundError(`entity "${name}" not found in project "${project}"`, "name");
    return row;
  },
});
export const getEntity = getEntityOp.call;

export const listEntitiesOp = defineOperation({
  name: "entities.list",
  summary: "A project's entities, by name.",
  kind: "query",
  access: "definitions.read",
  input: Scoped,
  output: z.array(out.Entity),
  run: ({ ctx, project: p }) =>
    ctx.db.select().from(entities).where(eq(entities.projectId, p.id)).orderBy(asc(entities.name)),
});
export const listEntities = listEntitiesOp.call;
