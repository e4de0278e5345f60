import { describe, expect, it } from "vitest";
import { reachable, subgraph } from "./traverse";
import { type LineageGraph, lineageEdgeId } from "./types";

// a -> b -> c -> d, x -> c, c -> y
const edges = [
  ["a", "b"],
  ["b", "c"],
  ["c", "d"],
  ["x", "c"],
  ["c", "y"],
].map(([source = "", target = ""]) => ({ id: lineageEdgeId(source, target), source, target }));
const graph: LineageGraph = {
  project: "p",
  nodes: ["a", "b", "c", "d", "x", "y"].map((id) => ({ id, kind: "feature", name: id, label: id, meta: {} })),
  edges,
};
const sorted = (s: Set<string>) => [...s].sort();

describe("reachable", () => {
  it("follows edges backwards upstream and forwards downstream", () => {
    expect(sorted(reachable(graph, "c", "upstream").nodeIds)).toEqual(["a", "b", "c", "x"]);
    expect(sorted(reachable(graph, "c", "downstream").nodeIds)).toEqual(["c", "d", "y"]);
    expect(sorted(reachable(graph, "c", "downstream").edgeIds)).toEqual(["c->d", "c->y"]);
  });

  it("takes ancestors and descendants for both, not siblings", () => {
    expect(sorted(reachable(graph, "b", "both").nodeIds)).toEqual(["a", "b", "c", "d", "y"]);
  });

  it("stops at depth", () => {
    expect(sorted(reachable(graph, "d", "upstream", 1).nodeIds)).toEqual(["c", "d"]);
    expect(sorted(reachable(graph, "d", "upstream", 2).nodeIds)).toEqual(["b", "c", "d", "x"]);
    expect(sorted(reachable(graph, "d", "upstream", 2).edgeIds)).toEqual(["b->c", "c->d", "x->c"]);
  });

  it("cuts a subgraph in the graph's order", () => {
    const sub = subgraph(graph, reachable(graph, "x", "downstream"));
    expect(sub.nodes.map((n) => n.id)).toEqual(["c", "d", "x", "y"]);
    expect(sub.edges.map((e) => e.id)).toEqual(["c->d", "x->c", "c->y"]);
  });
});
