import { describe, expect, it } from "vitest";
import type { LineageNeighborhood } from "@/server/registry/lineage/explore";
import { lineageEdgeId } from "@/server/registry/lineage/types";
import { countKinds, mergeNeighborhoods, recount } from "./explore-state";

const n = (id: string) => {
  const [kind = "", ...rest] = id.split(":");
  return { id, kind: kind as "source", name: rest.join(":"), label: rest.join(":"), meta: {} };
};
const e = (source: string, target: string) => ({ id: lineageEdgeId(source, target), source, target });
const totals = (up: number, down: number, hiddenUp = 0, hiddenDown = 0) => ({
  upstream: up,
  downstream: down,
  hiddenUpstream: hiddenUp,
  hiddenDownstream: hiddenDown,
});

// Focus on the view: its source, and one of its two services (fan-out cut).
const base: LineageNeighborhood = {
  project: "p",
  focus: "feature_view:v",
  nodes: [n("source:s"), n("feature_view:v"), n("feature_service:a")],
  edges: [e("source:s", "feature_view:v"), e("feature_view:v", "feature_service:a")],
  truncated: true,
  counts: {
    "source:s": totals(0, 2, 0, 1),
    "feature_view:v": totals(1, 2, 0, 1),
    "feature_service:a": totals(1, 0),
  },
};
// "+" on the source: its next hop, both ways (the view and another view w).
const expandSource: LineageNeighborhood = {
  project: "p",
  focus: "source:s",
  nodes: [n("source:s"), n("feature_view:v"), n("feature_view:w")],
  edges: [e("source:s", "feature_view:v"), e("source:s", "feature_view:w")],
  truncated: false,
  counts: {
    "source:s": totals(0, 2),
    "feature_view:v": totals(1, 2, 0, 2),
    "feature_view:w": totals(1, 0),
  },
};

describe("mergeNeighborhoods", () => {
  it("unites nodes and edges in column order and recounts what is hidden against the union", () => {
    const m = mergeNeighborhoods([base, expandSource]);
    expect(m.focus).toBe("feature_view:v");
    expect(m.nodes.map((x) => x.id)).toEqual([
      "source:s",
      "feature_view:v",
      "feature_view:w",
      "feature_service:a",
    ]);
    expect(m.edges.map((x) => x.id).sort()).toEqual(
      ["feature_view:v->feature_service:a", "source:s->feature_view:v", "source:s->feature_view:w"].sort(),
    );
    // The source's second view is drawn now; the view still misses one of its services.
    expect(m.counts["source:s"]).toEqual(totals(0, 2, 0, 0));
    expect(m.counts["feature_view:v"]).toEqual(totals(1, 2, 0, 1));
    expect(m.counts["feature_view:w"]).toEqual(totals(1, 0, 0, 0));
    expect(m.truncated).toBe(true);
  });

  it("returns a single answer as it is, and refuses nothing to merge", () => {
    expect(mergeNeighborhoods([base])).toBe(base);
    expect(() => mergeNeighborhoods([])).toThrow();
  });
});

describe("recount", () => {
  it("never goes below zero and skips nodes without totals", () => {
    const out = recount([{ id: "a" }, { id: "b" }], [e("a", "b"), e("a", "b")], {
      a: { upstream: 0, downstream: 1 },
    });
    expect(out).toEqual({ a: totals(0, 1, 0, 0) });
  });
});

describe("countKinds", () => {
  it("counts every kind, zero for absent ones", () => {
    expect(countKinds(base.nodes)).toEqual({
      source: 1,
      transformation: 0,
      entity: 0,
      feature_view: 1,
      stream_view: 0,
      feature: 0,
      on_demand_view: 0,
      feature_service: 1,
      dataset: 0,
      consumer: 0,
    });
  });
});
