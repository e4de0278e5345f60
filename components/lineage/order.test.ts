import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossings, type OrderInput, orderColumns } from "./order";

function columnsOf(input: OrderInput): { initial: Map<number, string[]>; columnOf: Map<string, number> } {
  const initial = new Map<number, string[]>();
  for (const n of input.nodes) initial.set(n.column, [...(initial.get(n.column) ?? []), n.id]);
  return { initial, columnOf: new Map(input.nodes.map((n) => [n.id, n.column])) };
}

describe("orderColumns", () => {
  it("untangles a graph that can be drawn without crossings", () => {
    // a -> x, b -> y, c -> z, given in the order that crosses every pair.
    const input: OrderInput = {
      nodes: [
        { id: "a", column: 0 },
        { id: "b", column: 0 },
        { id: "c", column: 0 },
        { id: "z", column: 1 },
        { id: "y", column: 1 },
        { id: "x", column: 1 },
        { id: "x1", column: 2 },
        { id: "z1", column: 2 },
      ],
      edges: [
        { source: "a", target: "x" },
        { source: "b", target: "y" },
        { source: "c", target: "z" },
        { source: "x", target: "x1" },
        { source: "z", target: "z1" },
      ],
    };
    const { initial, columnOf } = columnsOf(input);
    expect(crossings(initial, input.edges, columnOf)).toBe(4);
    const out = orderColumns(input);
    expect(crossings(out, input.edges, columnOf)).toBe(0);
    expect(out.get(1)).toEqual(["x", "y", "z"]);
  });

  it("keeps a view's features together and in their order when nothing pulls them apart", () => {
    const input: OrderInput = {
      nodes: [
        { id: "v1", column: 1 },
        { id: "v2", column: 1 },
        { id: "v2:a", column: 2 },
        { id: "v1:a", column: 2 },
        { id: "v1:b", column: 2 },
        { id: "v2:b", column: 2 },
      ],
      edges: [
        { source: "v1", target: "v1:a" },
        { source: "v1", target: "v1:b" },
        { source: "v2", target: "v2:a" },
        { source: "v2", target: "v2:b" },
      ],
    };
    expect(orderColumns(input).get(2)).toEqual(["v1:a", "v1:b", "v2:a", "v2:b"]);
  });

  it("counts crossings between non-adjacent columns too (collapsed graphs skip a column)", () => {
    const columns = new Map([
      [1, ["a", "b"]],
      [3, ["x", "y"]],
    ]);
    const columnOf = new Map([
      ["a", 1],
      ["b", 1],
      ["x", 3],
      ["y", 3],
    ]);
    const edges = [
      { source: "a", target: "y" },
      { source: "b", target: "x" },
    ];
    expect(crossings(columns, edges, columnOf)).toBe(1);
  });

  it("returns a permutation of every column and never more crossings than the input order", () => {
    const graph = fc
      .record({
        sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 5 }),
        picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 60 }),
      })
      .map(({ sizes, picks }): OrderInput => {
        const nodes = sizes.flatMap((n, column) =>
          Array.from({ length: n }, (_, i) => ({ id: `${column}.${i}`, column })),
        );
        const edges = new Map<string, { source: string; target: string }>();
        for (const [c, i, j] of picks) {
          const from = c % (sizes.length - 1);
          const to = from + 1;
          const source = `${from}.${i % (sizes[from] ?? 1)}`;
          const target = `${to}.${j % (sizes[to] ?? 1)}`;
          edges.set(`${source}>${target}`, { source, target });
        }
        return { nodes, edges: [...edges.values()] };
      });
    fc.assert(
      fc.property(graph, (input) => {
        const { initial, columnOf } = columnsOf(input);
        const out = orderColumns(input);
        for (const [column, ids] of initial)
          expect([...(out.get(column) ?? [])].sort()).toEqual([...ids].sort());
        expect(crossings(out, input.edges, columnOf)).toBeLessThanOrEqual(
          crossings(initial, input.edges, columnOf),
        );
      }),
    );
  });
});
