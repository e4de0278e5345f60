import "server-only";
import { and, asc, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import { actorLabel, type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import type { Db } from "../db/client";
import { projectOfflineSchemas, projects } from "../db/schema";
import { env } from "../env";
import { isReservedSchema, type OfflineSpace, PrivilegedRoleError } from "../offline";
import { defineOperation, NoInput } from "../operations/define";

/**
 * A project's offline space (docs/adr/0013-offline-isolation.md): the schemas of the offline
 * database its roles may use. By default one schema named after the project; an administrator may
 * configure others instead (addOwnSchema, CLI only); the owner may grant read access to schemas
 * the deployment offers for sharing (QUIVER_SHARED_SCHEMAS).
 */

/** The space the registry records for a project (the offline store's loadSpace). */
export async function loadOfflineSpace(db: Db, project: string): Promise<OfflineSpace> {
  const rows = await db
    .select({ schema: projectOfflineSchemas.schemaName, access: projectOfflineSchemas.access })
    .from(projectOfflineSchemas)
    .innerJoin(projects, eq(projects.id, projectOfflineSchemas.projectId))
    .where(eq(projects.name, project))
    .orderBy(asc(projectOfflineSchemas.createdAt), asc(projectOfflineSchemas.schemaName));
  const own = rows.filter((r) => r.access === "own").map((r) => r.schema);
  return {
    own: own.length > 0 ? own : [project],
    shared: rows.filter((r) => r.access === "shared").map((r) => r.schema),
  };
}

const Scoped = z.object({ project: Name });
export const OfflineSchemaInput = Scoped.extend({ schema: Name });

/** What the offline operations answer: a project's schemas, and for `offline.space` its roles too. */
const SpaceOutput = z.object({ own: z.array(z.string()), shared: z.array(z.string()) });
const SpaceViewOutput = SpaceOutput.extend({
  /** Shared schemas the deployment offers that the project does not read yet. */
  shareable: z.array(z.string()),
  database: z.string(),
  roles: z.object({ reader: z.string(), writer: z.string() }),
});
const OfflineCheckOutput = z.object({
  project: z.string(),
  /** null when the project's roles work and hold no privilege beyond their grants. */
  problem: z.string().nullable(),
  /** The roles are privileged: Quiver refuses to run offline SQL for this project. */
  privileged: z.boolean(),
});

export type OfflineSpaceView = z.output<typeof SpaceViewOutput>;

export const getOfflineSpaceOp = defineOperation({
  name: "offline.space",
  summary: "A project's offline space: its own and shared schemas, its database and roles.",
  kind: "query",
  access: "definitions.read",
  input: Scoped,
  output: SpaceViewOutput,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, project: p }): Promise<OfflineSpaceView> => {
    const space = await loadOfflineSpace(ctx.db, p.name);
    return {
      ...space,
      shareable: env().QUIVER_SHARED_SCHEMAS.filter((s) => !space.shared.includes(s)),
      database: ctx.offline.database,
      roles: ctx.offline.roles(p.name),
    };
  },
});
export const getOfflineSpace = getOfflineSpaceOp.call;

/** Whether a project other than `projectId` owns the schema (explicitly, or by its name by default). */
async function ownedElsewhere(db: Db, projectId: string, schema: string): Promise<string | undefined> {
  const [explicit] = await db
    .select({ name: projects.name })
    .from(projectOfflineSchemas)
    .innerJoin(projects, eq(projects.id, projectOfflineSchemas.projectId))
    .where(
      and(
        eq(projectOfflineSchemas.schemaName, schema),
        eq(projectOfflineSchemas.access, "own"),
        ne(projects.id, projectId),
      ),
    )
    .limit(1);
  if (explicit) return explicit.name;
  const [named] = await db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(and(eq(projects.name, schema), ne(projects.id, projectId)))
    .limit(1);
  if (!named) return undefined;
  // A project with schemas of its own configured does not own its name's schema.
  const [configured] = await db
    .select({ schema: projectOfflineSchemas.schemaName })
    .from(projectOfflineSchemas)
    .where(and(eq(projectOfflineSchemas.projectId, named.id), eq(projectOfflineSchemas.access, "own")))
    .limit(1);
  return configured ? undefined : named.name;
}

/**
 * One change of a project's space: the registry rows and their audit entry in one transaction, then
 * Postgres's grants brought in line (after the commit; a failed grant is redone at the next start),
 * and the space as it is now.
 */
async function changeSpace(
  ctx: Ctx,
  p: { id: string; name: string },
  audit: { action: string; schema: string; before?: unknown; after?: unknown },
  write: (tx: Ctx) => Promise<void>,
  apply: () => Promise<void>,
): Promise<OfflineSpace> {
  await inTransaction(ctx, async (tx) => {
    await write(tx);
    await recordAudit(tx, {
      project: p,
      action: audit.action,
      objectType: "offline_schema",
      objectName: audit.schema,
      before: audit.before,
      after: audit.after,
    });
  });
  await apply();
  return loadOfflineSpace(ctx.db, p.name);
}

/** Grants the project read access to a schema the deployment offers for sharing; owner only, audited. */
export const grantSharedSchemaOp = defineOperation({
  name: "offline.grantShared",
  summary: "Let the project read a schema the deployment offers for sharing (QUIVER_SHARED_SCHEMAS).",
  kind: "mutation",
  access: "offline.manage",
  input: OfflineSchemaInput,
  output: SpaceOutput,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { schema }, project: p }): Promise<OfflineSpace> => {
    const offered = env().QUIVER_SHARED_SCHEMAS;
    if (!offered.includes(schema))
      throw new InvalidError(
        offered.length === 0
          ? "schema: this deployment offers no shared schemas (QUIVER_SHARED_SCHEMAS is empty)"
          : `schema: "${schema}" is not one of the shared schemas this deployment offers (${offered.join(", ")})`,
        "schema",
      );
    if (isReservedSchema(schema)) throw new InvalidError(`schema: "${schema}" is Postgres's own`, "schema");
    const owner = await ownedElsewhere(ctx.db, p.id, schema);
    if (owner || (await loadOfflineSpace(ctx.db, p.name)).own.includes(schema))
      throw new InvalidError(`schema: "${schema}" is a project's own schema, not a shared one`, "schema");
    return changeSpace(
      ctx,
      p,
      { action: "offline_schema.grant", schema, after: { schema, access: "shared" } },
      async (tx) => {
        const inserted = await tx.db
          .insert(projectOfflineSchemas)
          .values({ projectId: p.id, schemaName: schema, access: "shared", grantedBy: actorLabel(ctx.actor) })
          .onConflictDoNothing()
          .returning();
        if (inserted.length === 0)
          throw new ConflictError(`project "${p.name}" reads schema "${schema}" already`);
      },
      () => ctx.offline.provision(p.name),
    );
  },
});
export const grantSharedSchema = grantSharedSchemaOp.call;

/** Takes back the project's read access to a shared schema; owner only, audited. */
export const revokeSharedSchemaOp = defineOperation({
  name: "offline.revokeShared",
  summary: "Stop the project reading a shared schema.",
  kind: "mutation",
  access: "offline.manage",
  input: OfflineSchemaInput,
  output: SpaceOutput,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input: { schema }, project: p }): Promise<OfflineSpace> =>
    changeSpace(
      ctx,
      p,
      { action: "offline_schema.revoke", schema, before: { schema, access: "shared" } },
      async (tx) => {
        const deleted = await tx.db
          .delete(projectOfflineSchemas)
          .where(
            and(
              eq(projectOfflineSchemas.projectId, p.id),
              eq(projectOfflineSchemas.schemaName, schema),
              eq(projectOfflineSchemas.access, "shared"),
            ),
          )
          .returning();
        if (deleted.length === 0)
          throw new NotFoundError(`project "${p.name}" has no shared schema "${schema}"`, "schema");
      },
      () => ctx.offline.revokeShared(p.name, schema),
    ),
});
export const revokeSharedSchema = revokeSharedSchemaOp.call;

/**
 * Gives a project a schema of its own (instead of, or besides, the default one named after it);
 * administrators only (the CLI), audited. The schema is created in the offline database.
 */
export const addOwnSchemaOp = defineOperation({
  name: "offline.own",
  summary: "Give a project a schema of its own in the offline database.",
  kind: "mutation",
  access: "trusted",
  input: OfflineSchemaInput,
  output: SpaceOutput,
  doors: ["cli"],
  run: async ({ ctx, input: { project, schema } }): Promise<OfflineSpace> => {
    // Trusted actors may act in any project: this finds it (or says it is missing).
    const p = await authorize(ctx, project, "offline.manage");
    if (isReservedSchema(schema)) throw new InvalidError(`schema: "${schema}" is Postgres's own`, "schema");
    if (env().QUIVER_SHARED_SCHEMAS.includes(schema))
      throw new InvalidError(`schema: "${schema}" is offered for sharing (QUIVER_SHARED_SCHEMAS)`, "schema");
    const owner = await ownedElsewhere(ctx.db, p.id, schema);
    if (owner) throw new ConflictError(`schema "${schema}" belongs to project "${owner}"`, "schema");
    return changeSpace(
      ctx,
      p,
      { action: "offline_schema.own", schema, after: { schema, access: "own" } },
      async (tx) => {
        await tx.db
          .delete(projectOfflineSchemas)
          .where(
            and(eq(projectOfflineSchemas.projectId, p.id), eq(projectOfflineSchemas.schemaName, schema)),
          );
        await tx.db
          .insert(projectOfflineSchemas)
          .values({ projectId: p.id, schemaName: schema, access: "own", grantedBy: actorLabel(ctx.actor) });
      },
      () => ctx.offline.provision(p.name),
    );
  },
});
export const addOwnSchema = addOwnSchemaOp.call;

/** Whether a schema name is taken as some project's own (for project creation). */
export async function schemaOwner(db: Db, schema: string): Promise<string | undefined> {
  const [row] = await db
    .select({ name: projects.name })
    .from(projectOfflineSchemas)
    .innerJoin(projects, eq(projects.id, projectOfflineSchemas.projectId))
    .where(and(eq(projectOfflineSchemas.schemaName, schema), eq(projectOfflineSchemas.access, "own")))
    .limit(1);
  return row?.name;
}

/**
 * The statements a DBA runs to give the project its space when Quiver's administrator connection
 * may not (role passwords included): administrators only (the CLI).
 */
export const offlineSetupStatementsOp = defineOperation({
  name: "offline.setupSql",
  summary: "The SQL a DBA runs to give a project its offline space (role passwords included).",
  kind: "query",
  access: "trusted",
  input: Scoped,
  output: z.array(z.string()),
  doors: ["cli"],
  run: async ({ ctx, input: { project } }) => {
    const p = await authorize(ctx, project, "offline.manage");
    return ctx.offline.setupStatements(p.name);
  },
});
export const offlineSetupStatements = offlineSetupStatementsOp.call;

export type OfflineCheck = z.output<typeof OfflineCheckOutput>;

/** Provisions every project's space and checks its roles (start-up, `quiver offline check`). */
export const checkOfflineSpacesOp = defineOperation({
  name: "offline.check",
  summary: "Create every project's offline roles and schemas, and check their grants.",
  kind: "mutation",
  access: "trusted",
  input: NoInput,
  output: z.array(OfflineCheckOutput),
  doors: ["cli"],
  run: async ({ ctx }): Promise<OfflineCheck[]> => {
    const rows = await ctx.db.select({ name: projects.name }).from(projects).orderBy(asc(projects.name));
    const out: OfflineCheck[] = [];
    for (const { name } of rows) {
      try {
        await ctx.offline.provision(name);
        await ctx.offline.verify(name);
        out.push({ project: name, problem: null, privileged: false });
      } catch (e) {
        out.push({
          project: name,
          problem: e instanceof Error ? e.message : String(e),
          privileged: e instanceof PrivilegedRoleError,
        });
      }
    }
    return out;
  },
});
export const checkOfflineSpaces = checkOfflineSpacesOp.call;
