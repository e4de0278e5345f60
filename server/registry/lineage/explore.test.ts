import { describe, expect, it } from "vitest";
import { neighborhood, overview, searchNodes, summarize } from "./explore";
import { foldKinds } from "./traverse";
import { type LineageGraph, type LineageNodeKind, lineageEdgeId } from "./types";

/**
 *   src ─▶ v1 ─▶ f1, f2, f3      f1, f2 ─▶ svc1 ─▶ c1
 *   ent ─▶ v1                    f4 ─────▶ svc2 ─▶ c1
 *   src ─▶ v2 ─▶ f4              v1 ─▶ train ─▶ c2
 */
const node = (kind: LineageNodeKind, name: string, id = `${kind}:${name}`, meta = {}) => ({
  id,
  kind,
  name,
  label: name,
  meta,
});
const feature = (view: string, name: string) =>
  node("feature", name, `feature:${view}:${name}`, { featureView: view, owner: "" });
const graph: LineageGraph = {
  project: "p",
  nodes: [
    node("source", "src", undefined, { owner: "data-eng" }),
    node("entity", "ent"),
    node("feature_view", "v1"),
    node("feature_view", "v2"),
    feature("v1", "f1"),
    feature("v1", "f2"),
    feature("v1", "f3"),
    feature("v2", "f4"),
    node("feature_service", "svc1"),
    node("feature_service", "svc2"),
    node("dataset", "train"),
    node("consumer", "c1"),
    node("consumer", "c2"),
  ],
  edges: [
    ["source:src", "feature_view:v1"],
    ["source:src", "feature_view:v2"],
    ["entity:ent", "feature_view:v1"],
    ["feature_view:v1", "feature:v1:f1"],
    ["feature_view:v1", "feature:v1:f2"],
    ["feature_view:v1", "feature:v1:f3"],
    ["feature_view:v2", "feature:v2:f4"],
    ["feature:v1:f1", "feature_service:svc1"],
    ["feature:v1:f2", "feature_service:svc1"],
    ["feature:v2:f4", "feature_service:svc2"],
    ["feature_service:svc1", "consumer:c1"],
    ["feature_service:svc2", "consumer:c1"],
    ["feature_view:v1", "dataset:train"],
    ["dataset:train", "consumer:c2"],
  ].map(([source = "", target = ""]) => ({ id: lineageEdgeId(source, target), source, target })),
};
const ids = (g: { nodes: { id: string }[] }) => g.nodes.map((n) => n.id).sort();
const wide = { depth: 10, limit: 100, fanout: 100 };

describe("neighborhood", () => {
  it("takes ancestors and descendants, not siblings, with the edges between them", () => {
    const g = neighborhood(graph, "feature:v1:f1", { direction: "both", ...wide });
    expect(ids(g)).toEqual(
      [
        "consumer:c1",
        "entity:ent",
        "feature:v1:f1",
        "feature_service:svc1",
        "feature_view:v1",
        "source:src",
      ].sort(),
    );
    expect(g.edges.map((e) => e.id).sort()).toEqual(
      [
        "entity:ent->feature_view:v1",
        "feature:v1:f1->feature_service:svc1",
        "feature_service:svc1->consumer:c1",
        "feature_view:v1->feature:v1:f1",
        "source:src->feature_view:v1",
      ].sort(),
    );
    expect(g.truncated).toBe(false);
    expect(g.focus).toBe("feature:v1:f1");
  });

  it("counts each node's neighbours and how many are not in the answer", () => {
    const g = neighborhood(graph, "feature:v1:f1", { direction: "both", ...wide });
    expect(g.counts["feature_view:v1"]).toEqual({
      upstream: 2,
      downstream: 4,
      hiddenUpstream: 0,
      // f2, f3 and the dataset
      hiddenDownstream: 3,
    });
    expect(g.counts["source:src"]).toEqual({
      upstream: 0,
      downstream: 2,
      hiddenUpstream: 0,
      hiddenDownstream: 1,
    });
    expect(g.counts["feature_service:svc1"]).toEqual({
      upstream: 2,
      downstream: 1,
      hiddenUpstream: 1,
      hiddenDownstream: 0,
    });
    expect(g.counts["consumer:c1"]).toEqual({
      upstream: 2,
      downstream: 0,
      hiddenUpstream: 1,
      hiddenDownstream: 0,
    });
    expect(Object.keys(g.counts).sort()).toEqual(ids(g));
  });

  it("takes at most `fanout` neighbours of one node and says it cut", () => {
    const g = neighborhood(graph, "feature_view:v1", {
      direction: "downstream",
      depth: 1,
      limit: 100,
      fanout: 2,
    });
    expect(ids(g)).toEqual(["feature:v1:f1", "feature:v1:f2", "feature_view:v1"]);
    expect(g.truncated).toBe(true);
    expect(g.counts["feature_view:v1"]?.hiddenDownstream).toBe(2);
  });

  it("stops at `limit` nodes, one hop of each direction in turn", () => {
    const g = neighborhood(graph, "feature_view:v1", { direction: "both", depth: 5, limit: 3, fanout: 100 });
    // Hop 1 upstream (src, ent) fills the budget before hop 1 downstream.
    expect(ids(g)).toEqual(["entity:ent", "feature_view:v1", "source:src"]);
    expect(g.truncated).toBe(true);
    const g4 = neighborhood(graph, "feature_view:v1", { direction: "both", depth: 5, limit: 4, fanout: 100 });
    expect(ids(g4)).toEqual(["entity:ent", "feature:v1:f1", "feature_view:v1", "source:src"]);
  });

  it("stops at depth without calling that a cut", () => {
    const g = neighborhood(graph, "consumer:c1", {
      direction: "upstream",
      depth: 1,
      limit: 100,
      fanout: 100,
    });
    expect(ids(g)).toEqual(["consumer:c1", "feature_service:svc1", "feature_service:svc2"]);
    expect(g.truncated).toBe(false);
    expect(g.counts["feature_service:svc1"]?.hiddenUpstream).toBe(2);
  });
});

describe("summarize", () => {
  it("counts kinds and ranks sources, views and services by fan-out", () => {
    const s = summarize(graph);
    expect(s.counts).toEqual({
      source: 1,
      transformation: 0,
      entity: 1,
      feature_view: 2,
      stream_view: 0,
      feature: 4,
      on_demand_view: 0,
      feature_service: 2,
      dataset: 1,
      consumer: 2,
    });
    expect(s.edges).toBe(14);
    expect(s.top.sources).toEqual([
      { id: "source:src", kind: "source", name: "src", owner: "data-eng", fanout: 2 },
    ]);
    // v1 is read by svc1 (through f1 and f2, once) and the dataset; v2 by svc2.
    expect(s.top.views.map((v) => [v.name, v.fanout])).toEqual([
      ["v1", 2],
      ["v2", 1],
    ]);
    expect(s.top.services.map((v) => [v.name, v.fanout])).toEqual([
      ["svc1", 1],
      ["svc2", 1],
    ]);
    expect(summarize(graph, 1).top.views.map((v) => v.name)).toEqual(["v1"]);
  });
});

describe("overview", () => {
  it("folds features into view -> service edges when that fits the cap", () => {
    const o = overview(graph, 9);
    expect(o?.nodes.some((n) => n.kind === "feature")).toBe(false);
    expect(o?.nodes).toHaveLength(9);
    expect(o?.edges.map((e) => e.id)).toContain("feature_view:v1->feature_service:svc1");
    expect(o?.edges.map((e) => e.id)).toContain("feature_view:v2->feature_service:svc2");
    expect(o?.edges.filter((e) => e.id === "feature_view:v1->feature_service:svc1")).toHaveLength(1);
    expect(o?.truncated).toBe(true);
    expect(o?.counts["feature_view:v1"]).toEqual({
      upstream: 2,
      downstream: 2,
      hiddenUpstream: 0,
      hiddenDownstream: 0,
    });
  });

  it("is null above the cap", () => {
    expect(overview(graph, 8)).toBeNull();
  });
});

describe("searchNodes", () => {
  it("finds by name and view:feature, exact before prefix before the rest", () => {
    expect(searchNodes(graph, "v1", 10).map((h) => h.id)).toEqual([
      "feature_view:v1",
      "feature:v1:f1",
      "feature:v1:f2",
      "feature:v1:f3",
    ]);
    expect(searchNodes(graph, "V1:F2", 10)).toEqual([
      { id: "feature:v1:f2", kind: "feature", name: "f2", label: "v1:f2" },
    ]);
    // Prefixes (the consumers) first, then the rest in column order: the source before the services.
    expect(searchNodes(graph, "c", 10).map((h) => h.id)).toEqual([
      "consumer:c1",
      "consumer:c2",
      "source:src",
      "feature_service:svc1",
      "feature_service:svc2",
    ]);
    expect(searchNodes(graph, "f", 2)).toHaveLength(2);
    expect(searchNodes(graph, "  ", 10)).toEqual([]);
    expect(searchNodes(graph, "nothing", 10)).toEqual([]);
  });
});

describe("foldKinds", () => {
  it("bridges paths through several hidden kinds and keeps nodes without edges", () => {
    const g = foldKinds(graph, new Set<LineageNodeKind>(["feature_view", "feature"]));
    expect(ids(g)).toEqual(
      [
        "consumer:c1",
        "consumer:c2",
        "dataset:train",
        "entity:ent",
        "feature_service:svc1",
        "feature_service:svc2",
        "source:src",
      ].sort(),
    );
    expect(g.edges.map((e) => e.id).sort()).toEqual(
      [
        "dataset:train->consumer:c2",
        "entity:ent->dataset:train",
        "entity:ent->feature_service:svc1",
        "feature_service:svc1->consumer:c1",
        "feature_service:svc2->consumer:c1",
        "source:src->dataset:train",
        "source:src->feature_service:svc1",
        "source:src->feature_service:svc2",
      ].sort(),
    );
  });
});
