import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { uniquely } from "../core/unique";
import { entities, featureViewEntities } from "../db/schema";
import { EntityInput } from "./schemas";

export type EntityRow = typeof entities.$inferSelect;

const Scoped = z.object({ project: Name });
export const CreateEntityInput = EntityInput.extend({ project: Name });
export const GetEntityInput = Scoped.extend({ name: Name });

export async function createEntity({ ctx, input }: { ctx: Ctx; input: z.input<typeof CreateEntityInput> }) {
  const { project, ...data } = parseInput(CreateEntityInput, input);
  const p = await authorize(ctx, project, "definitions.write");
  return inTransaction(ctx, async (tx) => {
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
  });
}

/** Replaces an entity's definition; its join key and type stay fixed while views use it. */
export async function updateEntity({ ctx, input }: { ctx: Ctx; input: z.input<typeof CreateEntityInput> }) {
  const { project, ...data } = parseInput(CreateEntityInput, input);
  const p = await authorize(ctx, project, "definitions.write");
  const current = await getEntity({ ctx, input: { project, name: data.name } });
  if (current.joinKey !== data.joinKey || current.valueType !== data.valueType) {
    const [used] = await ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(featureViewEntities)
      .where(eq(featureViewEntities.entityId, current.id));
    if ((used?.n ?? 0) > 0)
      throw new ConflictError(
        `entity "${data.name}" is used by ${used?.n} feature view(s); its join key and value type cannot change`,
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
}

export async function getEntity({ ctx, input }: { ctx: Ctx; input: z.input<typeof GetEntityInput> }) {
  const { project, name } = parseInput(GetEntityInput, input);
  const p = await authorize(ctx, project, "definitions.read");
  const [row] = await ctx.db
    .select()
    .from(entities)
    .where(and(eq(entities.projectId, p.id), eq(entities.name, name)))
    .limit(1);
  if (!row) throw new NotFoundError(`entity "${name}" not found in project "${project}"`, "name");
  return row;
}

export async function listEntities({ ctx, input }: { ctx: Ctx; input: z.input<typeof Scoped> }) {
  const { project } = parseInput(Scoped, input);
  const p = await authorize(ctx, project, "definitions.read");
  return ctx.db.select().from(entities).where(eq(entities.projectId, p.id)).orderBy(asc(entities.name));
}
