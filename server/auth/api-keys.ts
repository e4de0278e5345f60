import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Actor, actorLabel, inTransaction, type UsageSink } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import type { Db } from "../db/client";
import { apiKeys } from "../db/schema";
import { defineOperation } from "../operations/define";
import type { CachedApiKey, RegistryCache } from "../registry-cache/types";
import * as out from "./outputs";
import { ROLES } from "./roles";

/**
 * API keys: machine credentials scoped to one project and role (docs/adr/0009-api-keys.md).
 * The plaintext key is returned once by createApiKey; only its SHA-256 is stored.
 */

export const API_KEY_PREFIX = "qvr_";
/** How many leading characters of a key lists show ("qvr_" and 8 more). */
const SHOWN_PREFIX_LENGTH = 12;
/** last_used_at is written at most this often per key, so a busy key costs no write per request. */
const LAST_USED_INTERVAL = "1 minute";

export const CreateApiKeyInput = z.object({
  project: Name,
  name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  role: z.enum(ROLES),
  expiresAt: z.coerce.date().optional(),
});
export const ListApiKeysInput = z.object({ project: Name });
export const RevokeApiKeyInput = z.object({ project: Name, id: z.uuid("must be an API key id") });

type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyActor = Extract<Actor, { kind: "api_key" }>;
/** An API key as every door shows it: never the hash. */
export type ApiKey = Omit<ApiKeyRow, "keyHash">;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function withoutHash({ keyHash: _, ...rest }: ApiKeyRow): ApiKey {
  return rest;
}

/** What the audit log keeps of a key: who may do what, never the secret or its hash. */
function auditView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
  };
}

function creatorName(actor: Actor): string {
  return actor.kind === "user" ? actor.name : actorLabel(actor);
}

export const createApiKeyOp = defineOperation({
  name: "access.keys.create",
  summary: "Create an API key for one project and role; the plaintext key is answered once.",
  kind: "mutation",
  access: "keys.manage",
  input: CreateApiKeyInput,
  output: out.CreatedApiKey,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input: { name, role, expiresAt }, project: p }) => {
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw new InvalidError("expiresAt: must be in the future", "expiresAt");
    const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
    return inTransaction(ctx, async (tx) => {
      const [row] = await uniquely(`API key "${name}"`, () =>
        tx.db
          .insert(apiKeys)
          .values({
            projectId: p.id,
            name,
            role,
            prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
            keyHash: hashApiKey(key),
            createdBy: creatorName(tx.actor),
            expiresAt: expiresAt ?? null,
          })
          .returning(),
      );
      if (!row) throw new Error("insert returned no row");
      const apiKey = withoutHash(row);
      await recordAudit(tx, {
        project: p,
        action: "api_key.create",
        objectType: "api_key",
        objectName: name,
        after: auditView(apiKey),
      });
      return { key, apiKey };
    });
  },
});
export const createApiKey = createApiKeyOp.call;

export const listApiKeysOp = defineOperation({
  name: "access.keys.list",
  summary: "A project's API keys, newest first (prefix, role, expiry, last use; never the key).",
  kind: "query",
  access: "keys.manage",
  input: ListApiKeysInput,
  output: z.array(out.ApiKey),
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, project: p }) => {
    const rows = await ctx.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.projectId, p.id))
      .orderBy(desc(apiKeys.createdAt), apiKeys.name);
    return rows.map(withoutHash);
  },
});
export const listApiKeys = listApiKeysOp.call;

/** Marks the key revoked; revoking a revoked key changes nothing and writes no audit entry. */
export const revokeApiKeyOp = defineOperation({
  name: "access.keys.revoke",
  summary: "Revoke an API key: refused from the next request on.",
  kind: "mutation",
  access: "keys.manage",
  input: RevokeApiKeyInput,
  output: out.ApiKey,
  doors: ["trpc", "rest", "cli"],
  run: ({ ctx, input: { project, id }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      // Locks the row so two revocations at once write one audit entry.
      const [current] = await tx.db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.id, id), eq(apiKeys.projectId, p.id)))
        .for("update");
      if (!current) throw new NotFoundError(`API key ${id} not found in project "${project}"`, "id");
      if (current.revokedAt) return withoutHash(current);
      const [row] = await tx.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(eq(apiKeys.id, id))
        .returning();
      if (!row) throw new Error("update returned no row");
      const before = withoutHash(current);
      const after = withoutHash(row);
      await recordAudit(tx, {
        project: p,
        action: "api_key.revoke",
        objectType: "api_key",
        objectName: current.name,
        before: auditView(before),
        after: auditView(after),
      });
      return after;
    }),
});
export const revokeApiKey = revokeApiKeyOp.call;

/**
 * The actor a presented key stands for, or null for an unknown, revoked or expired key. Serving
 * processes pass their registry cache, which every key change empties through NOTIFY
 * (drizzle/0012), and their usage sink, which writes `last_used_at` in the background; without
 * them the key is read from the database and its use written at most once a minute.
 */
export async function resolveApiKey(
  db: Db,
  rawKey: string,
  held: { registry?: RegistryCache; usage?: UsageSink } = {},
): Promise<ApiKeyActor | null> {
  if (!rawKey.startsWith(API_KEY_PREFIX)) return null;
  const hash = hashApiKey(rawKey);
  const key = held.registry ? await held.registry.apiKey(hash) : await keyWithHash(db, hash);
  if (!key || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt.getTime() <= Date.now()))
    return null;
  if (held.usage) held.usage.keyUsed(key.id);
  else await noteUse(db, key.id);
  return { kind: "api_key", id: key.id, name: key.name, projectId: key.projectId, role: key.role };
}

/** The key with this hash as serving needs it, revoked or expired ones included (the caller decides). */
export async function keyWithHash(db: Db, keyHash: string): Promise<CachedApiKey | undefined> {
  const [row] = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      projectId: apiKeys.projectId,
      role: apiKeys.role,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1);
  return row;
}

/** At most one write a minute per key; concurrent requests race harmlessly on the same value. */
async function noteUse(db: Db, keyId: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, keyId),
        sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '${sql.raw(LAST_USED_INTERVAL)}')`,
      ),
    );
}
