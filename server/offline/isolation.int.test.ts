import { randomBytes } from "node:crypto";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { addProjectWithMember, insertUser } from "../../test/fixtures/users";
import type { Ctx } from "../core/context";
import { DomainError } from "../core/errors";
import { accounts, apiKeys, dataSources, projectMembers, sessions } from "../db/schema";
import { createDataSource, createEntity, createFeatureView, ensureProject } from "../registry";
import { push } from "../serving/push";
import type { SourceDef } from "./source-query";
import { probeSource, readLatestPerEntity } from "./source-reader";
import type { OfflineStore } from "./store";

/**
 * The offline store, attacked (docs/adr/0013-offline-isolation.md). Each case is something an
 * editor or operator could try through the services: it must be refused, and no answer or error
 * may carry a secret of Quiver's own tables or of another project's offline data.
 */

const tag = randomBytes(6).toString("hex");
const SECRETS = [
  `scrypt$PASSWORDHASH${tag}`,
  `SESSIONTOKEN${tag}`,
  `KEYHASH${tag}`,
  `ALPHASECRET${tag}`,
] as const;
const [PASSWORD_HASH, SESSION_TOKEN, KEY_HASH, ALPHA_SECRET] = SECRETS;

let t: TestDb;
let base: Ctx;
/** Ana: operator (so also editor) of project beta; not a member of alpha. */
let ana: Ctx;
/** Every table of Quiver's own (registry, auth, job queue), schema-qualified. */
let quiverTables: string[];

beforeAll(async () => {
  t = await createTestDb();
  base = testCtx(t);
  const user = await insertUser(base, "ana@example.com");
  await addProjectWithMember(base, "beta", user.id, "operator");
  const alpha = await ensureProject({ ctx: base, input: { name: "alpha" } });
  ana = { ...base, actor: user };
  await base.db.insert(accounts).values({
    id: `acc-${tag}`,
    accountId: user.id,
    providerId: "credential",
    userId: user.id,
    password: PASSWORD_HASH,
  });
  await base.db.insert(sessions).values({
    id: `ses-${tag}`,
    token: SESSION_TOKEN,
    userId: user.id,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  await base.db.insert(apiKeys).values({
    projectId: alpha.id,
    name: "alpha-key",
    role: "owner",
    prefix: "qk_x",
    keyHash: KEY_HASH,
    createdBy: "test",
  });
  await t.offlineSql("alpha", "create table secrets (driver_id bigint, secret text, ts timestamptz)");
  await t.offlineSql("alpha", "insert into secrets values (1, $1, now())", [ALPHA_SECRET]);
  await t.offlineSql(
    "beta",
    `create table events (driver_id bigint, v float8, ts timestamptz, created timestamptz);
     insert into events values (1, 0.5, '2026-01-01T00:00:00Z', null), (2, 0.7, '2026-01-02T00:00:00Z', null)`,
  );
  const { rows } = await t.pool.query<{ name: string }>(
    `select table_schema || '.' || table_name as name from information_schema.tables
      where table_schema in ('public', 'pgboss', 'drizzle') order by 1`,
  );
  quiverTables = rows.map((r) => r.name);
});
afterAll(() => t?.drop());

/** Fails the test when any secret appears in the value (an answer, an error, its message). */
function expectNoSecret(x: unknown): void {
  const text =
    x instanceof Error ? `${x.name}: ${x.message} ${JSON.stringify(x)}` : String(JSON.stringify(x));
  for (const s of SECRETS) expect(text).not.toContain(s);
}

/** The rejection of p (the test fails when p resolves), checked for secrets. */
async function refusal(p: Promise<unknown>): Promise<Error> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) {
    expectNoSecret(outcome.v);
    throw new Error(`expected a refusal, got ${JSON.stringify(outcome.v)}`);
  }
  const e = outcome.e instanceof Error ? outcome.e : new Error(String(outcome.e));
  expectNoSecret(e);
  return e;
}

function querySource(query: string, name = "q"): SourceDef {
  return {
    name,
    kind: "query",
    tableName: null,
    query,
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  };
}

function tableSource(tableName: string, name = "t"): SourceDef {
  return {
    name,
    kind: "table",
    tableName,
    query: null,
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  };
}

async function sourceCount(): Promise<number> {
  const [row] = await t.db.select({ n: count() }).from(dataSources);
  return row?.n ?? 0;
}

/** The stores to attack through: the default (offline data in its own database) and a misconfigured
 * one whose offline database is the registry's own, where only the roles' grants stand between. */
const WHERE = ["its own database", "the registry's database"] as const;
const storeFor = (() => {
  const cache = new Map<string, OfflineStore>();
  return (where: (typeof WHERE)[number]): OfflineStore => {
    if (where === "its own database") return t.offline;
    let s = cache.get(where);
    if (!s) {
      const prefix = t.offline.roles("x").reader.slice(0, -"_x_r".length);
      s = t.openOffline({ adminUrl: t.url, rolePrefix: `${prefix}reg` });
      cache.set(where, s);
    }
    return s;
  };
})();

describe.each(WHERE)("offline store in %s", (where) => {
  it("a query source reads none of Quiver's tables", async () => {
    const store = storeFor(where);
    expect(quiverTables, quiverTables.join()).toEqual(
      expect.arrayContaining([
        "public.accounts",
        "public.sessions",
        "public.api_keys",
        "public.project_members",
      ]),
    );
    for (const table of quiverTables) {
      const e = await refusal(probeSource(store, "beta", querySource(`select *, now() as ts from ${table}`)));
      expect(e.message).toMatch(/permission denied|does not exist/);
    }
    // The secrets' own columns, by name, unqualified (search_path) and qualified.
    for (const q of [
      "select password as p, now() as ts from accounts",
      "select password as p, now() as ts from public.accounts",
      "select token as p, now() as ts from public.sessions",
      "select key_hash as p, now() as ts from public.api_keys",
    ]) {
      const e = await refusal(probeSource(store, "beta", querySource(q)));
      expect(e.message).toMatch(/permission denied|does not exist/);
    }
  });

  it("another project's offline table is out of reach, by query and by table", async () => {
    const store = storeFor(where);
    await store.provision("alpha");
    const e1 = await refusal(probeSource(store, "beta", querySource("select secret, ts from alpha.secrets")));
    expect(e1.message).toMatch(/permission denied|does not exist/);
    const e2 = await refusal(probeSource(store, "beta", tableSource("alpha.secrets")));
    expect(e2.message).toMatch(
      /may name only tables in its offline space \(schemas beta\); "alpha.secrets" is outside it/,
    );
  });

  it("the project's roles cannot do what the sandbox refuses, even when it is bypassed", async () => {
    const store = storeFor(where);
    await store.provision("beta");
    // The table the writes aim at exists in the store's database either way.
    const admin = where === WHERE[0] ? t.offlineAdmin : t.pool;
    await admin.query(
      "create table if not exists beta.events (driver_id bigint, v float8, ts timestamptz, created timestamptz)",
    );
    const asReader = (sql: string) => store.transaction("beta", "probe", (c) => c.query(sql));
    const asWriter = (sql: string) => store.transaction("beta", "write", (c) => c.query(sql));
    for (const sql of [
      "select pg_read_file('PG_VERSION')",
      "copy (select 1) to program 'id'",
      "set role postgres",
      "select set_config('role', 'postgres', false)",
      "insert into beta.events values (3, 0.1, now(), null)",
      "create table beta.mine (x int)",
      "select lo_import('/etc/passwd')",
    ]) {
      const e = await refusal(asReader(sql));
      expect((e as { code?: string }).code, sql).toMatch(/^(42501|25006|42704|22023|0A000)$/);
    }
    for (const sql of [
      "select pg_read_file('PG_VERSION')",
      "copy (select 1) to program 'id'",
      "insert into public.api_keys (project_id, name, role, prefix, key_hash, created_by) select project_id, 'x', 'owner', 'p', 'h', 'me' from public.api_keys",
      "insert into public.project_members select * from public.project_members",
    ]) {
      const e = await refusal(asWriter(sql));
      expect((e as { code?: string }).code, sql).toMatch(/^(42501|42P01)$/);
    }
  });

  it("a push cannot write into a registry or auth table, even from a source stored before the rules", async () => {
    const ctx = { ...ana, offline: storeFor(where) };
    const [beta] = await t.pool
      .query<{ id: string }>("select id from projects where name = 'beta'")
      .then((r) => r.rows);
    for (const table of ["public.project_members", "public.api_keys", "project_members", "api_keys"]) {
      const name = `legacy_${table.replace(".", "_")}_${where === WHERE[0] ? 1 : 2}`;
      // Written straight into the registry, as a source registered before these rules would be.
      await t.db.insert(dataSources).values({
        projectId: beta?.id ?? "",
        name,
        kind: "table",
        tableName: table,
        timestampField: "created_at",
      });
      const keys = await t.db.select({ n: count() }).from(apiKeys);
      const members = await t.db.select({ n: count() }).from(projectMembers);
      const e = await refusal(
        push({
          ctx,
          input: {
            project: "beta",
            push_source_name: name,
            to: "offline",
            df: { created_at: ["2026-01-01T00:00:00Z"] },
          },
        }),
      );
      expect(e).toBeInstanceOf(DomainError);
      expect(e.message).toMatch(/outside it|does not exist|permission denied/);
      expect(await t.db.select({ n: count() }).from(apiKeys)).toEqual(keys);
      expect(await t.db.select({ n: count() }).from(projectMembers)).toEqual(members);
    }
  });
});

describe("registration", () => {
  it("refuses table sources outside the project's space, writing nothing", async () => {
    const before = await sourceCount();
    for (const tableName of [
      ...quiverTables,
      "alpha.secrets",
      "pg_catalog.pg_authid",
      "offline.driver_stats",
    ]) {
      const e = await refusal(
        createDataSource({
          ctx: ana,
          input: { project: "beta", name: "stolen", kind: "table", tableName, timestampField: "ts" },
        }),
      );
      expect(e.message).toContain(`"${tableName}" is outside it`);
    }
    expect(await sourceCount()).toBe(before);
  });

  it("refuses query sources that are not one plain SELECT, naming the rule", async () => {
    const before = await sourceCount();
    const cases: [string, RegExp][] = [
      ["select pg_read_file('/etc/passwd') as x, now() as ts", /pg_read_file is not allowed/],
      ["copy (select 1) to program 'id'", /only a SELECT is allowed/],
      ["set role postgres", /only a SELECT is allowed/],
      ["select 1 as x, now() as ts; drop table beta.events", /exactly one statement/],
      ["select 1 as x, now() as ts /* hidden */; delete from beta.events", /exactly one statement/],
      ["select 1 as x, now() as ts -- hidden\n; delete from beta.events", /exactly one statement/],
      ["with d as (delete from beta.events returning *) select driver_id, ts from d", /delete/i],
      ["with i as (insert into beta.events values (9) returning *) select 1 as x, now() as ts", /insert/i],
      ["select pg_sleep(20) as x, now() as ts", /pg_sleep is not allowed/],
      ["select * from pg_catalog.pg_authid", /system catalog/],
      ["select driver_id, ts from beta.events for update", /lock|FOR UPDATE/i],
      ["selec driver_id from beta.events", /syntax error.*position/],
    ];
    for (const [query, rule] of cases) {
      const e = await refusal(
        createDataSource({
          ctx: ana,
          input: { project: "beta", name: "evil", kind: "query", query, timestampField: "ts" },
        }),
      );
      expect(e, query).toBeInstanceOf(DomainError);
      expect((e as DomainError).field, query).toBe("query");
      expect(e.message, query).toMatch(rule);
    }
    expect(await sourceCount()).toBe(before);
  });

  it("accepts a plain SELECT over the project's own tables and a table in its own schema", async () => {
    await createDataSource({
      ctx: ana,
      input: {
        project: "beta",
        name: "events_query",
        kind: "query",
        query: "select driver_id, v, ts from beta.events where v > 0;",
        timestampField: "ts",
      },
    });
    await createDataSource({
      ctx: ana,
      input: {
        project: "beta",
        name: "events_table",
        kind: "table",
        tableName: "events",
        timestampField: "ts",
      },
    });
    const probe = await probeSource(t.offline, "beta", tableSource("events"));
    expect(probe).toEqual({ newest: new Date("2026-01-02T00:00:00Z"), rows: 2 });
  });

  it("with query sources switched off, refuses to register or scan one", async () => {
    const off = t.openOffline({ querySources: false });
    const e = await refusal(
      createDataSource({
        ctx: { ...ana, offline: off },
        input: {
          project: "beta",
          name: "q_off",
          kind: "query",
          query: "select 1 as x, now() as ts",
          timestampField: "ts",
        },
      }),
    );
    expect(e.message).toMatch(/QUIVER_QUERY_SOURCES=off/);
    const e2 = await refusal(probeSource(off, "beta", querySource("select driver_id, ts from beta.events")));
    expect(e2.message).toMatch(/QUIVER_QUERY_SOURCES=off/);
  });
});

describe("bounded work", () => {
  const NEVER_ENDS =
    "select g.a as driver_id, now() as ts from generate_series(1, 1000000000) g(a) cross join generate_series(1, 1000000000) h(b)";

  it("a probe that never ends times out, and holds neither other projects nor the registry meanwhile", async () => {
    const slow = t.openOffline({
      connectionsPerProject: 2,
      timeouts: { probeMs: 1500, scanMs: 1500, writeMs: 5000, lockMs: 1000 },
    });
    await slow.provision("beta");
    await slow.provision("alpha");
    let settled = 0;
    // More probes than the project has connections: the extra ones queue behind its own limit.
    const attacks = Array.from({ length: 4 }, () => {
      const p = probeSource(slow, "beta", querySource(NEVER_ENDS));
      p.then(
        () => settled++,
        () => settled++,
      );
      return p;
    });
    // While they run: another project's probe, an online read and registry queries all answer.
    const other = await probeSource(slow, "alpha", tableSource("secrets"));
    expect(other.rows).toBe(1);
    const online = await base.online.read("beta", [{ featureView: "v", features: ["x"] }], ["k"]);
    expect(online).toEqual([[null]]);
    for (let i = 0; i < 5; i++) await t.pool.query("select 1");
    expect(settled).toBe(0);
    for (const a of attacks) {
      const e = await refusal(a);
      expect(e.message).toMatch(/timed out after 1.5 s/);
    }
  });

  it("a materialization scan that never ends stops at the scan timeout", async () => {
    const slow = t.openOffline({ timeouts: { probeMs: 1000, scanMs: 1000, writeMs: 5000, lockMs: 1000 } });
    const scan = async () => {
      for await (const _ of readLatestPerEntity(
        slow,
        "beta",
        querySource(NEVER_ENDS),
        { joinKeys: [{ name: "driver_id", valueType: "int64" }], fields: [] },
        { start: new Date(0), end: new Date(Date.now() + 86_400_000) },
      ));
    };
    const e = await refusal(scan());
    expect(e.message).toBe("timed out after 1 s");
  });
});

describe("privileged roles", () => {
  async function admin(sql: string) {
    await t.offlineAdmin.query(sql);
  }

  it("refuses to run offline SQL as a superuser or a member of a privileged role", async () => {
    await t.offline.provision("gamma");
    const { reader } = t.offline.roles("gamma");
    for (const [grant, revoke, why] of [
      [`alter role "${reader}" superuser`, `alter role "${reader}" nosuperuser`, /is a superuser/],
      [
        `grant pg_read_server_files to "${reader}"`,
        `revoke pg_read_server_files from "${reader}"`,
        /member of 1 other role/,
      ],
      [`alter role "${reader}" createrole`, `alter role "${reader}" nocreaterole`, /may create roles/],
    ] as const) {
      await admin(grant);
      try {
        // A new store: new connections, each checked before its first statement.
        const fresh = t.openOffline();
        const e = await refusal(probeSource(fresh, "gamma", querySource("select 1 as x, now() as ts")));
        expect(e.message).toMatch(/refusing to run offline SQL as role/);
        expect(e.message).toMatch(why);
        await expect(fresh.verify("gamma")).rejects.toThrow(why);
      } finally {
        await admin(revoke);
      }
    }
    await expect(t.openOffline().verify("gamma")).resolves.toBeUndefined();
  });
});

describe("errors that leak nothing", () => {
  it("a data error quotes no value: not through a probe, a scan or a view's registration", async () => {
    await createDataSource({
      ctx: base,
      input: {
        project: "alpha",
        name: "leaky",
        kind: "query",
        query: "select driver_id, secret::int as n, ts from alpha.secrets where secret::int > 0",
        timestampField: "ts",
      },
    });
    const leaky = querySource(
      "select driver_id, secret::int as n, ts from alpha.secrets where secret::int > 0",
      "leaky",
    );
    const e1 = await refusal(probeSource(t.offline, "alpha", leaky));
    expect(e1.message).toMatch(/wrong syntax for its type \(SQLSTATE 22P02\)/);
    const scan = async () => {
      for await (const _ of readLatestPerEntity(
        t.offline,
        "alpha",
        leaky,
        { joinKeys: [{ name: "driver_id", valueType: "int64" }], fields: [{ name: "n", dtype: "int64" }] },
        { start: new Date(0), end: new Date(Date.now() + 86_400_000) },
      ));
    };
    const e2 = await refusal(scan());
    expect(e2.message).toMatch(/SQLSTATE 22P02/);
    await createEntity({
      ctx: base,
      input: { project: "alpha", name: "driver", joinKey: "driver_id", valueType: "int64" },
    });
    // Registration only plans the query (LIMIT 0), so it passes; the view's first read fails safely.
    await createFeatureView({
      ctx: base,
      input: {
        project: "alpha",
        spec: {
          name: "leaky_view",
          entities: ["driver"],
          source: "leaky",
          ttlSeconds: 0,
          fields: [{ name: "n", dtype: "int64" }],
        },
      },
    });
  });
});

describe("time is UTC", () => {
  it("a pushed time without an offset lands as UTC wall time in a timestamp column, whatever TZ", async () => {
    const saved = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(new Date(2026, 0, 1).getTimezoneOffset()).toBe(300);
      await t.offlineSql("beta", "create table naive (driver_id bigint, ts timestamp, created timestamp)");
      await createDataSource({
        ctx: ana,
        input: {
          project: "beta",
          name: "naive_source",
          kind: "table",
          tableName: "beta.naive",
          timestampField: "ts",
          createdTimestampField: "created",
        },
      });
      const r = await push({
        ctx: ana,
        input: {
          project: "beta",
          push_source_name: "naive_source",
          to: "offline",
          df: {
            ts: ["2026-01-01T10:00:00", "2026-07-01T23:30:00.250Z"],
            created: ["2026-01-01T10:05:00+02:00", null],
          },
        },
      });
      expect(r.offline_rows).toBe(2);
      const { rows } = await t.offlineSql(
        "beta",
        "select ts::text as ts, created::text as created from naive order by ts",
      );
      expect(rows).toEqual([
        { ts: "2026-01-01 10:00:00", created: "2026-01-01 08:05:00" },
        { ts: "2026-07-01 23:30:00.25", created: null },
      ]);
      const probe = await probeSource(t.offline, "beta", tableSource("naive"));
      expect(probe.newest?.toISOString()).toBe("2026-07-01T23:30:00.250Z");
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
