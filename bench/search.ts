/**
 * Feature search at catalog scale, against baselines measured in the same run (docs/adr/0028):
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:search
 *
 * Builds a database of its own with BENCH_FEATURES features (default 100,000) in views of 10-50
 * features: owners from a few dozen people and teams, tags team:x / tier:gold|silver|bronze /
 * domain:mobility|payments|..., one or two entities per view, a few features with tags of their
 * own, descriptions made of ordinary words. The rows are written by the registry's own code
 * (writeDerivedRows: feature rows and the lexicon), only the view heads and sources are inserted
 * directly (no offline store is needed to search). Then it runs QUERIES (typos, prefixes, tag and
 * owner words, several words, filters, the empty query the features page opens with) for
 * BENCH_ROUNDS rounds (default 5, after one warm-up round) through searchFeatures, and per query:
 *   - quiver: the whole operation (input parsing, authorization, lexicon lookup, the statement);
 *   - floor:  one bare GIN lookup of the same corrected words, `select count(*)` of the hits (or of
 *             the filtered rows for an empty query): the least work that finds the hits at all,
 *             with no rank, page, or facets;
 *   - old:    the previous implementation's two statements (OR of full text, trigram and ILIKE;
 *             then a second pass for the facets), on the same rows (BENCH_OLD=0 skips it).
 * Prints p50/p95 per query and overall, and the ratios quiver/floor and old/quiver.
 * Loopback only; the database it creates is dropped at the end (kept with BENCH_KEEP=1, to EXPLAIN).
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Ctx, inTransaction, type JobQueue } from "../server/core/context";
import { rootLogger } from "../server/core/log";
import { createDb, createPool, type Db } from "../server/db/client";
import { runMigrations } from "../server/db/migrate";
import { dataSources, entities, featureViews } from "../server/db/schema";
import type { OfflineStore } from "../server/offline";
import { ensureProject, type SearchFeaturesInput, searchFeatures } from "../server/registry";
import { writeDerivedRows } from "../server/registry/feature-views/refs";
import { FeatureViewSpec } from "../server/registry/schemas";
import { queryWords } from "../server/registry/search";

const FEATURES = Math.min(Number(process.env.BENCH_FEATURES ?? 100_000), 1_000_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const WITH_OLD = process.env.BENCH_OLD !== "0";
const PROJECT = "bench";
const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];

// ---- the catalog's shape --------------------------------------------------------------------

/** A small seeded PRNG (mulberry32), so every run builds the same catalog. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

const DOMAINS = ["mobility", "payments", "risk", "growth", "marketing", "logistics", "fraud", "support"];
const TEAMS = [
  "drivers",
  "riders",
  "merchants",
  "checkout",
  "ledger",
  "pricing",
  "dispatch",
  "safety",
  "trust",
  "lifecycle",
  "ads",
  "search",
  "maps",
  "eta",
  "couriers",
  "partners",
  "billing",
  "identity",
  "retention",
  "insights",
  "forecasting",
  "catalog",
  "supply",
  "demand",
  "routing",
] as const;
const PEOPLE = [
  "alice.nguyen",
  "bob.martin",
  "carla.rossi",
  "deepak.iyer",
  "emma.schultz",
  "farid.haddad",
  "grace.okafor",
  "hiro.tanaka",
  "ines.moreau",
  "jonas.berg",
  "kofi.mensah",
  "lena.petrova",
  "marco.silva",
  "nadia.khan",
  "oscar.lind",
  "priya.raman",
  "quentin.roux",
  "rosa.alvarez",
  "sven.olsen",
  "tariq.aziz",
] as const;
const ENTITIES = [
  ["driver", "driver_id"],
  ["rider", "rider_id"],
  ["customer", "customer_id"],
  ["merchant", "merchant_id"],
  ["order", "order_id"],
  ["trip", "trip_id"],
  ["city", "city_id"],
  ["courier", "courier_id"],
  ["account", "account_id"],
  ["card", "card_id"],
  ["device", "device_id"],
  ["store", "store_id"],
] as const;
const MEASURES: Record<string, string> = {
  trip_distance: "distance travelled per trip in kilometres",
  trip_duration: "trip duration in minutes",
  conv_rate: "conversion rate from app open to booking",
  acc_rate: "acceptance rate of offered requests",
  cancel_rate: "share of bookings cancelled before pickup",
  order_value: "basket value of completed orders in dollars",
  refund_amount: "refunded amount after customer complaints",
  chargeback_ratio: "chargebacks divided by settled card payments",
  fraud_score: "model score of how likely the payment is fraudulent",
  session_length: "time spent in the app per session",
  current_balance: "wallet balance at the end of the day",
  login_count: "successful logins",
  eta_error: "difference between promised and actual arrival time",
  surge_multiplier: "price multiplier applied during peak demand",
  rating: "average star rating given by counterparts",
  tip_amount: "tips received in dollars",
  idle_time: "time spent online without an active job",
  delivery_delay: "minutes late against the promised delivery window",
  basket_size: "number of items per order",
  support_tickets: "tickets opened with customer support",
  churn_probability: "predicted probability of leaving within a month",
  lifetime_value: "predicted lifetime revenue",
  active_days: "days with at least one completed trip",
  distinct_cities: "number of distinct cities served",
};
const AGGS = ["avg", "sum", "max", "min", "count", "p95", "stddev", "last"] as const;
const WINDOWS = ["1h", "24h", "7d", "30d", "90d"] as const;
const NOUNS = ["stats", "activity", "profile", "signals", "quality", "history", "aggregates", "scores"];
const DTYPES = ["float64", "int64", "float32", "string", "bool"] as const;

interface ViewPlan {
  spec: FeatureViewSpec;
  entityNames: string[];
}

/** Views of 10-50 features until FEATURES features exist. */
function planCatalog(): ViewPlan[] {
  const views: ViewPlan[] = [];
  let total = 0;
  for (let i = 0; total < FEATURES; i++) {
    const domain = pick(DOMAINS);
    const team = pick(TEAMS);
    const ents = random() < 0.2 ? [pick(ENTITIES), pick(ENTITIES)] : [pick(ENTITIES)];
    const entityNames = [...new Set(ents.map((e) => e[0]))];
    const n = Math.min(between(10, 50), FEATURES - total);
    const names = new Set<string>();
    const fields: FeatureViewSpec["fields"] = [];
    while (fields.length < n) {
      const measure = pick(Object.keys(MEASURES));
      const name =
        random() < 0.1
          ? measure
          : `${pick(AGGS)}_${measure}_${pick(WINDOWS)}${names.size > 60 ? `_${i}` : ""}`;
      if (names.has(name)) continue;
      names.add(name);
      const window = name.match(/_(\w+)$/)?.[1];
      fields.push({
        name,
        dtype: pick(DTYPES),
        description: `${name.startsWith("avg") ? "Average" : "Aggregated"} ${MEASURES[measure]} for each ${entityNames[0]}${
          window && WINDOWS.includes(window as never) ? ` over the last ${window}` : ""
        }, refreshed by the ${team} team.`,
        tags: random() < 0.05 ? { pii: pick(["yes", "no"]) } : {},
      });
    }
    const owner = random() < 0.6 ? `${pick(PEOPLE)}@example.com` : `team-${team}@corp.example`;
    const spec = FeatureViewSpec.parse({
      name: `${domain}_${entityNames[0]}_${pick(NOUNS)}_${i}`,
      description: `${domain} features of each ${entityNames.join(" and ")}`,
      entities: entityNames,
      source: "events",
      ttlSeconds: 0,
      online: true,
      owner,
      tags: { team, tier: pick(["gold", "silver", "bronze"]), domain },
      fields,
    });
    views.push({ spec, entityNames });
    total += n;
  }
  return views;
}

// ---- the queries ------------------------------------------------------------------------------

type Query = { label: string; input: Omit<SearchFeaturesInput, "project"> };
const QUERIES: Query[] = [
  { label: "exact name", input: { q: "current_balance" } },
  { label: "typo name", input: { q: "curent_balanse" } },
  { label: "prefix", input: { q: "conv" } },
  { label: "two prefixes", input: { q: "trip dist" } },
  { label: "tag value", input: { q: "mobility" } },
  { label: "typo tag value", input: { q: "mobilty" } },
  { label: "key:value", input: { q: "tier:gold" } },
  { label: "owner word", input: { q: "priya" } },
  { label: "typo owner", input: { q: "okafr" } },
  { label: "four words", input: { q: "avg trip distance 7d" } },
  { label: "description word", input: { q: "complaints" } },
  { label: "typo two words", input: { q: "sesion lenght" } },
  { label: "view name words", input: { q: "fraud card signals" } },
  { label: "common word", input: { q: "driver" } },
  { label: "no match", input: { q: "zzqxv" } },
  { label: "text + tag", input: { q: "trip", tags: ["domain:mobility"] } },
  {
    label: "text + owner + entity",
    input: { q: "rate", owner: "alice.nguyen@example.com", entity: "driver" },
  },
  { label: "filters only", input: { tags: ["team:pricing", "tier:gold"] } },
  { label: "entity filter only", input: { entity: "courier" } },
  { label: "empty (page open)", input: {} },
];

// ---- measuring --------------------------------------------------------------------------------

const now = () => Number(process.hrtime.bigint()) / 1e6;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const ms = (x: number) => x.toFixed(1).padStart(7);

function loopbackOrExit(url: string | undefined): string {
  if (!url) {
    console.error("DATABASE_URL is required: DATABASE_URL=postgres://... npm run bench:search");
    process.exit(2);
  }
  const host = new URL(url).hostname;
  if (!LOOPBACK.includes(host)) {
    console.error(`refusing to benchmark a non-loopback Postgres (${host})`);
    process.exit(2);
  }
  return url;
}

async function main() {
  const serverUrl = loopbackOrExit(process.env.DATABASE_URL);
  const dbName = `quiver_bench_search_${randomBytes(4).toString("hex")}`;
  const admin = createPool(serverUrl, 1);
  await admin.query(`create database ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const pool = createPool(u.toString(), 4);
  const db = createDb(pool);
  try {
    await runMigrations(pool);
    const ctx: Ctx = {
      actor: { kind: "local", name: "bench" },
      db,
      online: unused("online store"),
      offline: unused("offline store") as OfflineStore,
      jobs: unused("job queue") as JobQueue,
      log: rootLogger(),
    };
    const t0 = now();
    const projectId = await seed(ctx, db);
    const [{ n } = { n: 0 }] = (await pool.query<{ n: number }>("select count(*)::int as n from features"))
      .rows;
    const words = (await pool.query<{ n: number }>("select count(*)::int as n from search_words")).rows[0]?.n;
    console.log(
      `catalog: ${n} features, ${words} lexicon words, built in ${((now() - t0) / 1000).toFixed(1)} s`,
    );
    await pool.query("vacuum analyze");

    const sides = {
      quiver: new Map<string, number[]>(),
      floor: new Map<string, number[]>(),
      old: new Map<string, number[]>(),
    };
    const hits = new Map<string, number>();
    for (let round = 0; round <= ROUNDS; round++) {
      for (const query of QUERIES) {
        const input = { project: PROJECT, ...query.input };
        let t = now();
        const r = await searchFeatures({ ctx, input });
        const quiver = now() - t;
        hits.set(query.label, r.total);
        t = now();
        await floorQuery(pool, projectId, r.corrections, query.input);
        const floor = now() - t;
        let old = Number.NaN;
        if (WITH_OLD) {
          t = now();
          await oldSearch(db, projectId, query.input);
          old = now() - t;
        }
        if (round === 0) continue; // warm-up
        for (const [side, value] of [
          ["quiver", quiver],
          ["floor", floor],
          ["old", old],
        ] as const) {
          const list = sides[side].get(query.label) ?? [];
          list.push(value);
          sides[side].set(query.label, list);
        }
      }
    }

    console.log(`\n${ROUNDS} rounds; ms; ratio = quiver p50 / floor p50, speed-up = old p50 / quiver p50`);
    console.log(
      `${"query".padEnd(24)}${"hits".padStart(7)}  ${"p50".padStart(7)}${"p95".padStart(7)}  ${"floor".padStart(7)} ${"ratio".padStart(6)}  ${"old".padStart(7)} ${"speed-up".padStart(8)}`,
    );
    const all = { quiver: [] as number[], floor: [] as number[], old: [] as number[] };
    for (const query of QUERIES) {
      const q = sides.quiver.get(query.label) ?? [];
      const f = sides.floor.get(query.label) ?? [];
      const o = sides.old.get(query.label) ?? [];
      all.quiver.push(...q);
      all.floor.push(...f);
      all.old.push(...o);
      console.log(
        `${query.label.padEnd(24)}${String(hits.get(query.label)).padStart(7)}  ${ms(quantile(q, 0.5))}${ms(quantile(q, 0.95))}  ${ms(quantile(f, 0.5))} ${(quantile(q, 0.5) / quantile(f, 0.5)).toFixed(1).padStart(6)}  ${ms(quantile(o, 0.5))} ${(quantile(o, 0.5) / quantile(q, 0.5)).toFixed(1).padStart(8)}`,
      );
    }
    console.log(
      `\noverall quiver p50 ${quantile(all.quiver, 0.5).toFixed(1)} ms, p95 ${quantile(all.quiver, 0.95).toFixed(1)} ms` +
        ` | floor p50 ${quantile(all.floor, 0.5).toFixed(1)} ms, p95 ${quantile(all.floor, 0.95).toFixed(1)} ms` +
        ` | ratio p95 ${(quantile(all.quiver, 0.95) / quantile(all.floor, 0.95)).toFixed(1)}` +
        (WITH_OLD
          ? ` | old p50 ${quantile(all.old, 0.5).toFixed(1)} ms, p95 ${quantile(all.old, 0.95).toFixed(1)} ms, speed-up p95 ${(quantile(all.old, 0.95) / quantile(all.quiver, 0.95)).toFixed(1)}x`
          : ""),
    );
  } finally {
    await pool.end().catch(() => {});
    if (process.env.BENCH_KEEP === "1") console.log(`kept database ${dbName} (BENCH_KEEP=1)`);
    else await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

/** Writes the planned catalog: project, entities and a source through the registry; view heads directly. */
async function seed(ctx: Ctx, db: Db): Promise<string> {
  const project = await ensureProject({ ctx, input: { name: PROJECT } });
  const entityRows = await db
    .insert(entities)
    .values(
      ENTITIES.map(([name, joinKey]) => ({
        projectId: project.id,
        name,
        joinKey,
        valueType: "int64" as const,
      })),
    )
    .returning();
  const byName = new Map(entityRows.map((e) => [e.name, e]));
  const [source] = await db
    .insert(dataSources)
    .values({
      projectId: project.id,
      name: "events",
      kind: "table",
      tableName: "bench.events",
      timestampField: "ts",
    })
    .returning({ id: dataSources.id });
  if (!source) throw new Error("no source");
  const plans = planCatalog();
  for (let i = 0; i < plans.length; i += 50) {
    await inTransaction(ctx, async (txCtx) => {
      const tx = txCtx.db;
      for (const { spec, entityNames } of plans.slice(i, i + 50)) {
        const [view] = await tx
          .insert(featureViews)
          .values({
            projectId: project.id,
            name: spec.name,
            currentVersion: 1,
            sourceId: source.id,
            description: spec.description,
            owner: spec.owner,
            tags: spec.tags,
            // A few deprecated views, as a real catalog has.
            deprecatedAt: random() < 0.03 ? new Date() : null,
          })
          .returning({ id: featureViews.id });
        if (!view) throw new Error("no view");
        const ents = entityNames.map((e) => {
          const row = byName.get(e);
          if (!row) throw new Error(`no entity ${e}`);
          return row;
        });
        await writeDerivedRows(txCtx, { id: view.id, projectId: project.id }, spec, ents);
      }
    });
  }
  return project.id;
}

/** The floor: one bare lookup of the hits (the corrected words, or the filters alone), counted. */
async function floorQuery(
  pool: import("pg").Pool,
  projectId: string,
  corrections: { word: string; into: string[] }[],
  input: Query["input"],
) {
  const words = queryWords(input.q ?? "");
  const fixed = new Map(corrections.map((c) => [c.word, c.into]));
  const groups = words.map((w) => {
    const into = fixed.get(w);
    return into ? into.map((n) => `'${n}'`).join(" | ") || "'zzz'" : `${w}:*`;
  });
  const conds = ["project_id = $1"];
  const values: unknown[] = [projectId];
  if (groups.length) {
    values.push(groups.map((g) => `(${g})`).join(" & "));
    conds.push(`search_vector @@ to_tsquery('simple', $${values.length})`);
  }
  if (input.tags?.length) {
    values.push(input.tags);
    conds.push(`tag_pairs @> $${values.length}::text[]`);
  }
  if (input.owner) {
    values.push(input.owner);
    conds.push(`owner = $${values.length}`);
  }
  if (input.entity) {
    values.push([input.entity]);
    conds.push(`entity_names @> $${values.length}::text[]`);
  }
  await pool.query(`select count(*) from features where ${conds.join(" and ")}`, values);
}

/** The previous implementation's statements (before docs/adr/0028), on the same rows. */
async function oldSearch(db: Db, projectId: string, input: Query["input"]) {
  const q = (input.q ?? "").trim();
  const prefix = q
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 10)
    .map((w) => `${w}:*`)
    .join(" & ");
  const filters = [sql`project_id = ${projectId}`];
  if (input.tags?.length) filters.push(sql`tag_pairs @> ${sql.param(input.tags)}::text[]`);
  if (input.owner) filters.push(sql`owner = ${input.owner}`);
  if (input.entity) filters.push(sql`entity_names @> array[${input.entity}]::text[]`);
  let rank = sql`0`;
  if (q) {
    const text = prefix
      ? sql`(search_vector @@ to_tsquery('simple', ${prefix}) or search_vector @@ websearch_to_tsquery('english', ${q}))`
      : sql`false`;
    const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(sql`(${text} or name % ${q.toLowerCase()} or name ilike ${like})`);
    const tsRank = prefix
      ? sql`ts_rank(search_vector, to_tsquery('simple', ${prefix}) || websearch_to_tsquery('english', ${q}))`
      : sql`0`;
    rank = sql`(${tsRank} + similarity(name, ${q.toLowerCase()}))`;
  }
  const where = sql.join(filters, sql` and `);
  await db.execute(
    sql`select view_name, name, dtype, description, tags, owner, entity_names, ${rank}::float8 as rank
        from features where ${where} order by ${q ? sql`${rank} desc, ` : sql``}view_name, position limit 50`,
  );
  await db.execute(sql`
    with hits as (select * from features where ${where})
    select 'total' as facet, '' as value, count(*)::int as count from hits
    union all select 'tags', t, count(*)::int from hits, unnest(tag_pairs) t group by t
    union all select 'owners', owner, count(*)::int from hits where owner <> '' group by owner
    union all select 'entities', e, count(*)::int from hits, unnest(entity_names) e group by e
    union all select 'views', view_name, count(*)::int from hits group by view_name`);
}

/** A part of the context search never touches: using it is a bug in the bench. */
function unused<T>(what: string): T {
  return new Proxy({} as object, {
    get(_t, prop) {
      if (prop === "then") return undefined;
      throw new Error(`the search bench uses no ${what} (read .${String(prop)})`);
    },
  }) as T;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
