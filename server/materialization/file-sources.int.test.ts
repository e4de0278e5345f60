import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { duck, pgJsonArray, type SourceColumn, writeSource } from "../../test/helpers/files";
import { recordingJobs } from "../../test/helpers/materialization";
import type { Ctx } from "../core/context";
import { sourceProbes } from "../db/schema";
import { probeProjectSources } from "../freshness/probe-sources";
import { entityKey } from "../online/entity-key";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  ensureProject,
  searchFeatures,
} from "../registry";
import { getLineage } from "../registry/lineage";
import { getOnlineFeatures } from "../serving";
import { runMaterialization } from "./run-materialization";
import { startMaterialization } from "./start-materialization";

/**
 * A view over a file source materializes and serves like any other: the same rows in a Postgres
 * table, a Parquet file and a CSV file feed three views, and after one materialization of the same
 * window the online store holds, and get-online-features answers, exactly the same for all three.
 * The source probes (freshness) agree too.
 */

let t: TestDb;
let ctx: Ctx;
let projectId: string;
const P = "filemat";

const at = (hhmm: string) => `2026-01-01T${hhmm}:00.000000Z`;

interface Row {
  driver: string;
  ts: string;
  created?: string | null;
  conv?: number | null;
  trips?: string | null;
  label?: string | null;
  seenAt?: string | null;
  tags?: (string | null)[] | null;
  blob?: string | null;
  counts?: string[] | null;
}

const orNull = <V>(v: V | null | undefined, f: (v: V) => string) =>
  v === null || v === undefined ? null : f(v);

const COLUMNS: SourceColumn<Row>[] = [
  { name: "driver_id", pgType: "bigint", duckType: "BIGINT", text: (r) => r.driver, quoted: false },
  {
    name: "event_timestamp",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => r.ts,
    quoted: false,
  },
  {
    name: "created",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => r.created ?? null,
    quoted: false,
  },
  {
    name: "conv",
    pgType: "double precision",
    duckType: "DOUBLE",
    text: (r) => orNull(r.conv, String),
    quoted: false,
  },
  { name: "trips", pgType: "bigint", duckType: "BIGINT", text: (r) => r.trips ?? null, quoted: false },
  { name: "label", pgType: "text", duckType: "VARCHAR", text: (r) => r.label ?? null, quoted: true },
  {
    name: "seen_at",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => r.seenAt ?? null,
    quoted: false,
  },
  {
    name: "tags",
    pgType: "text[]",
    duckType: "VARCHAR[]",
    text: (r) => orNull(r.tags, (xs) => JSON.stringify(xs)),
    pg: (x) => pgJsonArray(x, "text"),
    duck: (json) => duck.list(json, "VARCHAR"),
    quoted: true,
  },
  {
    name: "blob",
    pgType: "bytea",
    duckType: "BLOB",
    text: (r) => r.blob ?? null,
    pg: (x) => `decode(${x}, 'base64')`,
    duck: duck.base64,
    quoted: true,
  },
  {
    name: "counts",
    pgType: "bigint[]",
    duckType: "BIGINT[]",
    text: (r) => orNull(r.counts, (xs) => `[${xs.join(", ")}]`),
    pg: (x) => pgJsonArray(x, "bigint"),
    duck: (json) => duck.list(json, "BIGINT"),
    quoted: true,
  },
];

const ROWS: Row[] = [
  // driver 1: the latest in [07:00, 10:30] is 10:00; 11:00 lies after the window
  { driver: "1", ts: at("08:00"), created: at("08:00"), conv: 0.1, trips: "10" },
  {
    driver: "1",
    ts: at("10:00"),
    created: at("10:00"),
    conv: 0.2,
    trips: "20",
    label: 'ten o\'clock, "quoted"',
    seenAt: "2025-12-31T23:59:59.057001Z",
    tags: ["a", null, "é"],
    blob: "AAH/",
    counts: ["1", "9007199254740993"],
  },
  { driver: "1", ts: at("11:00"), created: at("11:00"), conv: 0.9, trips: "90" },
  // driver 2: three rows at 09:00; the greatest created wins, a null created loses
  { driver: "2", ts: at("09:00"), created: at("09:00"), conv: 0.3, trips: "30" },
  { driver: "2", ts: at("09:00"), created: at("09:30"), conv: 0.4, trips: "40", label: "" },
  { driver: "2", ts: at("09:00"), created: null, conv: 0.5, trips: "50" },
  // driver 3: rows exactly on both bounds; the end bound's is the latest
  { driver: "3", ts: at("07:00"), conv: 0.6, trips: "60" },
  { driver: "3", ts: "2026-01-01T10:30:00Z", conv: 0.7, trips: "9223372036854775807", tags: [] },
  // driver 4: only before the window
  { driver: "4", ts: "2026-01-01T06:59:59.999999Z", conv: 0.8, trips: "80" },
  // a key beyond 2^53, every feature null
  { driver: "9007199254740993", ts: at("09:00") },
];

const KINDS = ["table", "parquet", "csv"] as const;
const FIELDS = [
  { name: "conv_rate", dtype: "float64" },
  { name: "trips", dtype: "int64" },
  { name: "label", dtype: "string" },
  { name: "seen_at", dtype: "unix_timestamp" },
  { name: "tags", dtype: "list<string>" },
  { name: "blob", dtype: "bytes" },
  { name: "counts", dtype: "list<int64>" },
] as const;
const DRIVERS = ["1", "2", "3", "4", "9007199254740993", "99"];

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  projectId = (await ensureProject({ ctx, input: { name: P } })).id;
  await t.offline.provision(P);
  await writeSource(
    t.offlineAdmin,
    `${P}.stats`,
    path.join(t.offline.files.dirOf(P), "stats", "stats"),
    COLUMNS,
    ROWS,
  );
  await createEntity({
    ctx,
    input: { project: P, name: "driver", joinKey: "driver_id", valueType: "int64" },
  });
  for (const kind of KINDS) {
    const where =
      kind === "table"
        ? { kind: "table" as const, tableName: "stats" }
        : { kind: "file" as const, path: `stats/stats.${kind}`, fileFormat: kind };
    await createDataSource({
      ctx,
      input: {
        project: P,
        name: `${kind}_source`,
        ...where,
        timestampField: "event_timestamp",
        createdTimestampField: "created",
        fieldMapping: { conv: "conv_rate" },
      },
    });
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: {
          name: `from_${kind}`,
          entities: ["driver"],
          source: `${kind}_source`,
          ttlSeconds: 0,
          fields: FIELDS.map((f) => ({ ...f })),
        },
      },
    });
  }
});

afterAll(async () => {
  if (!t) return;
  fs.rmSync(t.offline.files.dirOf(P), { recursive: true, force: true });
  await t.drop();
});

describe("materializing views over file sources", () => {
  it("stores and serves exactly what the same rows in a Postgres table give", async () => {
    const runs = await startMaterialization({
      ctx,
      input: { project: P, startTs: at("07:00"), endTs: "2026-01-01T10:30:00Z" },
    });
    expect(runs.map((r) => r.featureView).sort()).toEqual(KINDS.map((k) => `from_${k}`).sort());
    const done = await Promise.all(runs.map((r) => runMaterialization(ctx, r.id, { batchSize: 2 })));
    for (const run of done) expect(run).toMatchObject({ status: "succeeded", rowsRead: 4, error: null });

    // The stored rows, with their event times to the millisecond.
    const keys = DRIVERS.map((d) => entityKey({ driver_id: d }));
    const stored = await ctx.online.read(
      P,
      KINDS.map((k) => ({ featureView: `from_${k}`, features: FIELDS.map((f) => f.name) })),
      keys,
    );
    const plain = stored.map((rows) =>
      rows.map((r) => (r ? { ...r.values, eventTs: r.eventTs.toISOString() } : null)),
    );
    const expected = [
      {
        conv_rate: 0.2,
        trips: 20,
        label: 'ten o\'clock, "quoted"',
        seen_at: "2025-12-31T23:59:59.057Z",
        tags: ["a", null, "é"],
        blob: "AAH/",
        counts: [1, "9007199254740993"],
        eventTs: "2026-01-01T10:00:00.000Z",
      },
      {
        conv_rate: 0.4,
        trips: 40,
        label: "",
        seen_at: null,
        tags: null,
        blob: null,
        counts: null,
        eventTs: "2026-01-01T09:00:00.000Z",
      },
      {
        conv_rate: 0.7,
        trips: "9223372036854775807",
        label: null,
        seen_at: null,
        tags: [],
        blob: null,
        counts: null,
        eventTs: "2026-01-01T10:30:00.000Z",
      },
      null,
      {
        conv_rate: null,
        trips: null,
        label: null,
        seen_at: null,
        tags: null,
        blob: null,
        counts: null,
        eventTs: "2026-01-01T09:00:00.000Z",
      },
      null,
    ];
    for (const [i, kind] of KINDS.entries()) expect(plain[i], kind).toEqual(expected);

    // And served: the same answer from each view, feature for feature.
    const served = await Promise.all(
      KINDS.map((k) =>
        getOnlineFeatures({
          ctx,
          input: {
            project: P,
            features: FIELDS.map((f) => `from_${k}:${f.name}`),
            entities: { driver_id: DRIVERS },
          },
        }),
      ),
    );
    const [fromTable, ...fromFiles] = served.map((s) => s.results);
    for (const results of fromFiles) expect(results).toEqual(fromTable);
  });

  it("shows in lineage and search as any source does, with its kind", async () => {
    const g = await getLineage({ ctx, input: { project: P } });
    const source = g.nodes.find((n) => n.id === "source:parquet_source");
    expect(source?.meta).toMatchObject({ sourceKind: "file" });
    const found = await searchFeatures({ ctx, input: { project: P, q: "conv_rate" } });
    expect(found.items.map((i) => i.featureView).sort()).toEqual(KINDS.map((k) => `from_${k}`).sort());
  });

  it("probes a file source as it probes a table: newest event and row count", async () => {
    await probeProjectSources(ctx, projectId);
    const probes = await t.db.select().from(sourceProbes);
    expect(probes).toHaveLength(KINDS.length);
    for (const p of probes)
      expect(p).toMatchObject({
        status: "ok",
        newestEventTs: new Date("2026-01-01T11:00:00Z"),
        rowCount: ROWS.length,
        error: null,
      });
  });
});
