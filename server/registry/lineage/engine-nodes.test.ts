import { describe, expect, it } from "vitest";
import { addOnDemandViews, addStreamViews, addTransformations } from "./engine-nodes";
import { type LineageEdge, type LineageNode, lineageEdgeId } from "./types";

function sink(existing: string[]) {
  const nodes: LineageNode[] = existing.map((id) => ({
    id,
    kind: "source",
    name: id,
    label: id,
    meta: {},
  }));
  const edges: LineageEdge[] = [];
  const tallies = new Map<string, { count: number; missing: string[] }>();
  return {
    nodes,
    edges,
    tallies,
    has: (id: string) => nodes.some((n) => n.id === id),
    addEdge: (source: string, target: string) =>
      edges.push({ id: lineageEdgeId(source, target), source, target }),
    tally: (service: string) => {
      const t = tallies.get(service) ?? { count: 0, missing: [] };
      tallies.set(service, t);
      return t;
    },
  };
}

describe("engine nodes", () => {
  it("puts a transformation between the sources it reads and its output, skipping unknown names", () => {
    const s = sink(["source:a", "source:b", "source:out"]);
    addTransformations(
      [
        {
          name: "t",
          owner: "o",
          description: "",
          version: 2,
          engine: "postgres",
          output: "out",
          reads: ["a", "b", "gone"],
          columnCount: 3,
          notIncremental: ["LIMIT"],
        },
      ],
      s,
    );
    expect(s.edges.map((e) => e.id)).toEqual([
      "source:a->transformation:t",
      "source:b->transformation:t",
      "transformation:t->source:out",
    ]);
    expect(s.nodes.at(-1)).toMatchObject({
      id: "transformation:t",
      kind: "transformation",
      meta: { version: 2, output: "out", columnCount: 3, incremental: false },
    });
  });

  it("keys a stream view by its entities and gives each aggregation a feature node", () => {
    const s = sink(["entity:driver"]);
    addStreamViews(
      [
        {
          name: "live",
          owner: "",
          description: "",
          version: 1,
          streamKey: "p:trips",
          tileSeconds: 60,
          spec: {
            entities: ["driver", "nobody"],
            aggregations: [
              { name: "n_5m", function: "count", column: "", windowSeconds: 300 },
              { name: "last_fare", function: "last", column: "fare", windowSeconds: 86_400 },
            ],
          },
        },
      ],
      s,
    );
    expect(s.edges.map((e) => e.id)).toEqual([
      "entity:driver->stream_view:live",
      "stream_view:live->feature:live:n_5m",
      "stream_view:live->feature:live:last_fare",
    ]);
    expect(s.nodes.find((n) => n.id === "feature:live:n_5m")?.meta).toMatchObject({
      dtype: "int64",
      viewKind: "stream_view",
      aggregation: "count(*) over 5 min",
    });
    expect(s.nodes.find((n) => n.id === "feature:live:last_fare")?.meta).toMatchObject({
      dtype: null,
      aggregation: "last(fare) over 1 d",
    });
  });

  it("links an on-demand view's inputs, features and services (by name and by *), reporting missing ones", () => {
    const s = sink(["feature:v:x", "feature:v:y"]);
    addOnDemandViews(
      [
        {
          name: "odv",
          owner: "",
          description: "",
          version: 1,
          spec: {
            inputs: ["v:x", "v:gone"],
            requestFields: [{ name: "boost", dtype: "float64" }],
            fields: [
              { name: "a", dtype: "float64", expression: "v.x * request.boost" },
              { name: "b", dtype: "bool", expression: "v.x > 1.0" },
            ],
          },
        },
      ],
      [
        { service: "one", view: "odv", featureNames: ["a", "dropped"] },
        { service: "all", view: "odv", featureNames: ["*"] },
      ],
      s,
    );
    expect(s.edges.map((e) => e.id)).toEqual([
      "feature:v:x->on_demand_view:odv",
      "on_demand_view:odv->feature:odv:a",
      "on_demand_view:odv->feature:odv:b",
      "feature:odv:a->feature_service:one",
      "feature:odv:a->feature_service:all",
      "feature:odv:b->feature_service:all",
    ]);
    expect(s.tallies.get("one")).toEqual({ count: 1, missing: ["odv:dropped"] });
    expect(s.tallies.get("all")).toEqual({ count: 2, missing: [] });
    expect(s.nodes.find((n) => n.id === "on_demand_view:odv")?.meta.requestFields).toBe("boost");
  });
});
