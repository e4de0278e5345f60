import { describe, expect, it, vi } from "vitest";
import {
  type LineageGraph,
  type LineageNode,
  type LineageNodeKind,
  lineageEdgeId,
  lineageNodeId,
} from "@/server/registry/lineage/types";
import {
  COLUMN_OF,
  columnLayout,
  type LineageLayout,
  layoutLineage,
  layoutWithDeadline,
  nodeColumns,
  nodeSize,
  visibleGraph,
} from "./layout";

describe("layoutLineage", () => {
  it("positions every node with its kind's size, top-left anchored inside the drawing", async () => {
    const g = sampleGraph();
    const out = await layoutLineage(g, { collapseFeatures: false });
    expect(out.collapsed).toBe(false);
    expect(out.nodes.map((n) => n.id).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    for (const p of out.nodes) {
      const node = byId(g, p.id);
      expect(p).toMatchObject(nodeSize(node));
      expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.x + p.width).toBeLessThanOrEqual(out.width);
      expect(p.y + p.height).toBeLessThanOrEqual(out.height);
    }
    expect(out.edges).toEqual(g.edges);
  });

  it("never overlaps two nodes", async () => {
    const out = await layoutLineage(sampleGraph(), { collapseFeatures: false });
    expectNoOverlap(out);
  });

  it("points every edge left to right and keeps kinds in their columns", async () => {
    const g = sampleGraph();
    const out = await layoutLineage(g, { collapseFeatures: false });
    expectLeftToRight(out);
    expectColumns(g, out);
  });

  it("puts nodes without edges in their kind's column", async () => {
    const g = sampleGraph();
    const out = await layoutLineage(g, { collapseFeatures: false });
    const x = (id: string) => out.nodes.find((n) => n.id === id)?.x ?? Number.NaN;
    // The idle consumer reads nothing and the lone entity keys nothing.
    expect(x("consumer:idle")).toBe(x("consumer:eta_model"));
    expect(x("entity:lonely")).toBeLessThan(x("feature_view:driver_stats"));
  });

  it("draws the engines left to right: source, transformation, output source, view, feature, on-demand view, its features, service", async () => {
    const g = enginesGraph();
    for (const out of [
      await layoutLineage(g, { collapseFeatures: false }),
      columnLayout(g, { collapseFeatures: false }),
    ]) {
      expectLeftToRight(out);
      expectNoOverlap(out);
      const x = (id: string) => out.nodes.find((n) => n.id === id)?.x ?? Number.NaN;
      const order = [
        "source:raw",
        "transformation:tx",
        "source:tx_out",
        "feature_view:v",
        "feature:v:f",
        "on_demand_view:odv",
        "feature:odv:g",
        "feature_service:svc",
      ].map(x);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(order).size).toBe(order.length);
      // A stream view is drawn with the feature views, its features with theirs.
      expect(x("stream_view:live")).toBe(x("feature_view:v"));
      expect(x("feature:live:n")).toBe(x("feature:v:f"));
    }
  });

  it("sizes nodes by label within the kind's bounds", () => {
    const short = nodeSize({ kind: "feature", label: "a" });
    const long = nodeSize({ kind: "feature", label: "a".repeat(30) });
    const huge = nodeSize({ kind: "feature", label: "a".repeat(300) });
    expect(long.width).toBeGreaterThan(short.width);
    expect(huge.width).toBe(nodeSize({ kind: "feature", label: "a".repeat(400) }).width);
    expect(nodeSize({ kind: "feature_view", label: "x" }).height).toBeGreaterThan(short.height);
  });

  it("is deterministic", async () => {
    const a = await layoutLineage(sampleGraph(), { collapseFeatures: false });
    const b = await layoutLineage(sampleGraph(), { collapseFeatures: false });
    expect(a).toEqual(b);
  });

  it("lays out an empty graph as nothing", async () => {
    expect(await layoutLineage({ project: "p", nodes: [], edges: [] })).toEqual({
      nodes: [],
      edges: [],
      collapsed: false,
      width: 0,
      height: 0,
      engine: "elk",
    });
  });

  it("collapses features into view -> service edges on request", async () => {
    const g = sampleGraph();
    const out = await layoutLineage(g, { collapseFeatures: true });
    expect(out.collapsed).toBe(true);
    expect(out.nodes.some((n) => n.id.startsWith("feature:"))).toBe(false);
    expect(out.nodes).toHaveLength(g.nodes.filter((n) => n.kind !== "feature").length);
    const ids = out.edges.map((e) => e.id);
    // Two features of driver_stats feed driver_activity: one edge.
    expect(
      ids.filter((id) => id === "feature_view:driver_stats->feature_service:driver_activity"),
    ).toHaveLength(1);
    expect(ids).toContain("feature_view:trip_stats->feature_service:driver_activity");
    expect(ids).toContain("source:driver_src->feature_view:driver_stats");
    expect(ids).toContain("feature_service:driver_activity->consumer:eta_model");
    expect(ids.some((id) => id.includes("feature:"))).toBe(false);
    expectNoOverlap(out);
    expectLeftToRight(out);
  });

  it("collapses automatically above the threshold only", () => {
    const g = sampleGraph();
    const features = g.nodes.filter((n) => n.kind === "feature").length;
    expect(visibleGraph(g, { collapseAbove: features }).collapsed).toBe(false);
    expect(visibleGraph(g, { collapseAbove: features - 1 }).collapsed).toBe(true);
    expect(visibleGraph(g, { collapseFeatures: false, collapseAbove: 0 }).collapsed).toBe(false);
  });

  it("lays out a 2000-node project in reasonable time", async () => {
    const g = bigGraph(2000);
    expect(g.nodes).toHaveLength(2000);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const out = await layoutLineage(g, { collapseFeatures: false });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const wallMs = performance.now() - started;
    expect(out.nodes).toHaveLength(2000);
    expectNoOverlap(out);
    expectLeftToRight(out);
    expectColumns(g, out);
    console.info(
      `layout of ${g.nodes.length} nodes / ${g.edges.length} edges: ${cpuMs.toFixed(0)} ms CPU, ${wallMs.toFixed(0)} ms wall`,
    );
    // Generous, and on CPU time: the layout is single-threaded work, and wall time on a 2-core
    // machine running other test files in parallel measures the neighbours as much as the layout.
    expect(cpuMs).toBeLessThan(10_000);
  }, 30_000);

  it("lays out the same project collapsed much smaller", async () => {
    const g = bigGraph(2000);
    const out = await layoutLineage(g);
    expect(out.collapsed).toBe(true);
    expect(out.nodes.length).toBeLessThan(400);
    expectNoOverlap(out);
    expectLeftToRight(out);
  }, 30_000);
});

describe("nodeColumns", () => {
  it("keeps a kind's column unless something upstream is drawn at or right of it", () => {
    const g = enginesGraph();
    const col = nodeColumns(g.nodes, g.edges);
    expect(col.get("source:raw")).toBe(COLUMN_OF.source);
    expect(col.get("transformation:tx")).toBe(COLUMN_OF.transformation);
    // The output source goes right of the transformation writing it.
    expect(col.get("source:tx_out")).toBe(COLUMN_OF.transformation + 1);
    expect(col.get("feature_view:v")).toBe(COLUMN_OF.feature_view);
    expect(col.get("feature:odv:g")).toBe(COLUMN_OF.on_demand_view + 1);
    expect(col.get("feature_service:svc")).toBe(COLUMN_OF.feature_service);
  });

  it("widens for a chain of transformations and leaves a cycle in its kinds' columns", () => {
    const b = new Builder();
    const raw = b.node("source", "raw");
    const t1 = b.node("transformation", "t1");
    const o1 = b.node("source", "o1");
    const t2 = b.node("transformation", "t2");
    const o2 = b.node("source", "o2");
    const v = b.node("feature_view", "v");
    b.edge(raw, t1);
    b.edge(t1, o1);
    b.edge(o1, t2);
    b.edge(t2, o2);
    b.edge(o2, v);
    const chain = nodeColumns(b.nodes, b.edges);
    expect([raw, t1, o1, t2, o2, v].map((id) => chain.get(id))).toEqual([0, 1, 2, 3, 4, 5]);

    const c = new Builder();
    const a = c.node("transformation", "a");
    const oa = c.node("source", "oa");
    const z = c.node("transformation", "z");
    const oz = c.node("source", "oz");
    c.edge(a, oa);
    c.edge(oa, z);
    c.edge(z, oz);
    c.edge(oz, a);
    const cycle = nodeColumns(c.nodes, c.edges);
    expect([a, oa, z, oz].map((id) => cycle.get(id))).toEqual([1, 0, 1, 0]);
  });
});

describe("columnLayout (the fallback)", () => {
  it("places every node in its kind's column, left to right, without overlaps", () => {
    const g = sampleGraph();
    const out = columnLayout(g, { collapseFeatures: false });
    expect(out.engine).toBe("columns");
    expect(out.nodes.map((n) => n.id).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    expectNoOverlap(out);
    expectLeftToRight(out);
    expectColumns(g, out);
    for (const p of out.nodes) {
      expect(p.x + p.width).toBeLessThanOrEqual(out.width);
      expect(p.y + p.height).toBeLessThanOrEqual(out.height);
    }
  });

  it("lays out 2,000 nodes fast enough to be the answer when ELK is late", () => {
    const g = bigGraph(2000);
    const started = performance.now();
    const out = columnLayout(g, { collapseFeatures: false });
    const ms = performance.now() - started;
    expect(out.nodes).toHaveLength(2000);
    expectNoOverlap(out);
    expectLeftToRight(out);
    // Generous for a busy 2-core machine; it takes tens of ms.
    expect(ms).toBeLessThan(2000);
  });

  it("hides kinds and bridges the paths through them", () => {
    const out = columnLayout(sampleGraph(), {
      collapseFeatures: false,
      hideKinds: ["feature_view", "feature"],
    });
    expect(out.nodes.some((n) => n.id.startsWith("feature_view:") || n.id.startsWith("feature:"))).toBe(
      false,
    );
    const ids = out.edges.map((e) => e.id);
    expect(ids).toContain("source:driver_src->feature_service:driver_activity");
    expect(ids).toContain("entity:customer->feature_service:trip_all");
    expect(ids).not.toContain("entity:lonely->feature_service:trip_all");
  });
});

describe("layoutWithDeadline", () => {
  const g = sampleGraph();
  const elkLike = (ms: number) => (graph: LineageGraph) =>
    new Promise<LineageLayout>((resolve) =>
      setTimeout(() => resolve({ ...columnLayout(graph), engine: "elk" }), ms),
    );

  it("answers the layout when it is in time", async () => {
    vi.useFakeTimers();
    try {
      let late = false;
      const out = layoutWithDeadline(g, {}, elkLike(100), 1000, () => {
        late = true;
      });
      await vi.advanceTimersByTimeAsync(100);
      expect((await out).engine).toBe("elk");
      await vi.advanceTimersByTimeAsync(2000);
      expect(late).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers the column layout at the deadline and says the work is late", async () => {
    vi.useFakeTimers();
    try {
      let late = 0;
      const out = layoutWithDeadline(g, {}, elkLike(5000), 1000, () => {
        late++;
      });
      await vi.advanceTimersByTimeAsync(1000);
      const layout = await out;
      expect(layout.engine).toBe("columns");
      expect(layout.nodes).toHaveLength(g.nodes.length);
      await vi.advanceTimersByTimeAsync(5000);
      expect(late).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers the column layout when the layout fails", async () => {
    const out = await layoutWithDeadline(g, {}, () => Promise.reject(new Error("boom")), 60_000);
    expect(out.engine).toBe("columns");
  });
});

function expectNoOverlap(out: LineageLayout): void {
  // Sweep by x: only boxes whose x-ranges meet need a y check.
  const boxes = [...out.nodes].sort((a, b) => a.x - b.x);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    if (!a) continue;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j];
      if (!b || b.x >= a.x + a.width) break;
      const overlap = b.y < a.y + a.height && a.y < b.y + b.height;
      if (overlap) expect.fail(`${a.id} overlaps ${b.id}`);
    }
  }
}

function expectLeftToRight(out: LineageLayout): void {
  const pos = new Map(out.nodes.map((n) => [n.id, n]));
  for (const e of out.edges) {
    const s = pos.get(e.source);
    const t = pos.get(e.target);
    if (!s || !t) expect.fail(`edge ${e.id} has an unplaced end`);
    if (!(s.x + s.width < t.x)) expect.fail(`edge ${e.id} does not point right`);
  }
}

function expectColumns(g: LineageGraph, out: LineageLayout): void {
  const kindOf = new Map(g.nodes.map((n) => [n.id, n.kind]));
  const spans = new Map<number, { left: number; right: number }>();
  for (const p of out.nodes) {
    const kind = kindOf.get(p.id);
    if (!kind) expect.fail(`unknown node ${p.id}`);
    const col = COLUMN_OF[kind];
    const s = spans.get(col) ?? { left: Number.POSITIVE_INFINITY, right: Number.NEGATIVE_INFINITY };
    spans.set(col, { left: Math.min(s.left, p.x), right: Math.max(s.right, p.x + p.width) });
  }
  const cols = [...spans.keys()].sort((a, b) => a - b);
  for (let i = 1; i < cols.length; i++) {
    const prev = spans.get(cols[i - 1] ?? -1);
    const cur = spans.get(cols[i] ?? -1);
    if (!prev || !cur) continue;
    expect(prev.right).toBeLessThan(cur.left);
  }
}

function byId(g: LineageGraph, id: string): LineageNode {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}

class Builder {
  nodes: LineageNode[] = [];
  edges: LineageGraph["edges"] = [];
  node(kind: LineageNodeKind, name: string, id = `${kind}:${name}`): string {
    this.nodes.push({ id, kind, name, label: name, meta: {} });
    return id;
  }
  edge(source: string, target: string): void {
    this.edges.push({ id: lineageEdgeId(source, target), source, target });
  }
  graph(): LineageGraph {
    return { project: "p", nodes: this.nodes, edges: this.edges };
  }
}

/** Two sources, three entities (one unused), two views, five features, two services, three consumers. */
function sampleGraph(): LineageGraph {
  const b = new Builder();
  const driverSrc = b.node("source", "driver_src");
  const tripsSrc = b.node("source", "a_source_with_a_rather_long_name_to_truncate");
  const driver = b.node("entity", "driver");
  const customer = b.node("entity", "customer");
  b.node("entity", "lonely");
  const dv = b.node("feature_view", "driver_stats");
  const tv = b.node("feature_view", "trip_stats");
  b.edge(driverSrc, dv);
  b.edge(tripsSrc, tv);
  b.edge(driver, dv);
  b.edge(driver, tv);
  b.edge(customer, tv);
  const f = (view: string, name: string) => {
    const id = b.node("feature", name, lineageNodeId("feature", view, name));
    b.edge(lineageNodeId("feature_view", view), id);
    return id;
  };
  const conv = f("driver_stats", "conv_rate");
  const acc = f("driver_stats", "acc_rate");
  const avg = f("driver_stats", "avg_daily_trips_over_the_last_seven_days");
  const trips = f("trip_stats", "trip_count");
  f("trip_stats", "avg_fare");
  const activity = b.node("feature_service", "driver_activity");
  const all = b.node("feature_service", "trip_all");
  b.edge(conv, activity);
  b.edge(acc, activity);
  b.edge(trips, activity);
  b.edge(avg, all);
  b.edge(trips, all);
  const eta = b.node("consumer", "eta_model");
  const pricing = b.node("consumer", "pricing_service");
  b.node("consumer", "idle");
  b.edge(activity, eta);
  b.edge(all, eta);
  b.edge(all, pricing);
  return b.graph();
}

/** One of each engine: raw -> tx -> tx_out -> v -> f -> odv -> g -> svc, and entity -> live -> n. */
function enginesGraph(): LineageGraph {
  const b = new Builder();
  const raw = b.node("source", "raw");
  const tx = b.node("transformation", "tx");
  const out = b.node("source", "tx_out");
  const driver = b.node("entity", "driver");
  const v = b.node("feature_view", "v");
  const live = b.node("stream_view", "live");
  const f = b.node("feature", "f", lineageNodeId("feature", "v", "f"));
  const n = b.node("feature", "n", lineageNodeId("feature", "live", "n"));
  const odv = b.node("on_demand_view", "odv");
  const g = b.node("feature", "g", lineageNodeId("feature", "odv", "g"));
  const svc = b.node("feature_service", "svc");
  b.edge(raw, tx);
  b.edge(tx, out);
  b.edge(out, v);
  b.edge(driver, v);
  b.edge(driver, live);
  b.edge(v, f);
  b.edge(live, n);
  b.edge(f, odv);
  b.edge(odv, g);
  b.edge(g, svc);
  b.edge(f, svc);
  return b.graph();
}

/** A project of about `total` nodes, mostly features, with deterministic pseudo-random wiring. */
function bigGraph(total: number): LineageGraph {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const b = new Builder();
  const sources = Array.from({ length: 20 }, (_, i) => b.node("source", `source_${i}`));
  const entities = Array.from({ length: 30 }, (_, i) => b.node("entity", `entity_${i}`));
  const views = Array.from({ length: 100 }, (_, i) => b.node("feature_view", `view_${i}`));
  const services = Array.from({ length: 80 }, (_, i) => b.node("feature_service", `service_${i}`));
  const consumers = Array.from({ length: 50 }, (_, i) => b.node("consumer", `consumer_${i}`));
  for (const v of views) {
    b.edge(sources[rand(sources.length)] ?? "", v);
    const e1 = rand(entities.length);
    b.edge(entities[e1] ?? "", v);
    if (rand(3) === 0) b.edge(entities[(e1 + 1) % entities.length] ?? "", v);
  }
  const featureCount = total - b.nodes.length;
  for (let i = 0; i < featureCount; i++) {
    const view = `view_${i % views.length}`;
    const id = b.node("feature", `feature_${i}`, lineageNodeId("feature", view, `feature_${i}`));
    b.edge(lineageNodeId("feature_view", view), id);
    // Most features are read by one service, some by two, some by none.
    const reads = rand(10) < 3 ? 0 : rand(10) < 8 ? 1 : 2;
    const chosen = new Set<number>();
    for (let r = 0; r < reads; r++) chosen.add(rand(services.length));
    for (const s of chosen) b.edge(id, services[s] ?? "");
  }
  for (const c of consumers) {
    const s1 = rand(services.length);
    b.edge(services[s1] ?? "", c);
    if (rand(2) === 0) b.edge(services[(s1 + 7) % services.length] ?? "", c);
  }
  return b.graph();
}
