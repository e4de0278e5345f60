import "server-only";
import { sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { ConflictError } from "../core/errors";
import { featureViews, onDemandViews, streamViews } from "../db/schema";

/** The kinds of view whose features a request names as `name:feature`. */
export type ServedKind = "feature view" | "on-demand view" | "stream view";

/**
 * Refuses a new view's name when a view of another kind has it: retrieval, lineage and search name
 * features of all three kinds as `name:feature`, so the name must pick one view. Call it in the
 * creating transaction: the advisory lock (per project and name) makes two creates of different
 * kinds under one name take turns, so the second sees the first's row.
 */
export async function refuseServedNameTaken(
  tx: Ctx,
  projectId: string,
  name: string,
  kind: ServedKind,
  field: string,
): Promise<void> {
  await tx.db.execute(
    sql`select pg_advisory_xact_lock(hashtext('served-name'), hashtext(${projectId} || ':' || ${name}))`,
  );
  const r = await tx.db.execute<{ kind: ServedKind }>(sql`
    select 'feature view' as kind from ${featureViews} where project_id = ${projectId} and name = ${name}
    union all select 'on-demand view' from ${onDemandViews} where project_id = ${projectId} and name = ${name}
    union all select 'stream view' from ${streamViews} where project_id = ${projectId} and name = ${name}`);
  const other = r.rows.find((row) => row.kind !== kind);
  if (other)
    throw new ConflictError(
      `${field}: "${name}" is a ${other.kind} of this project; a ${kind} needs a name of its own (requests name their features alike, as "${name}:feature")`,
      field,
    );
}
