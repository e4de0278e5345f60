/**
 * Orders the nodes inside each column to keep edge crossings low: the barycenter heuristic with
 * alternating sweeps, keeping the best order seen. It runs in O(sweeps * E log E), so it stays cheap
 * for thousands of feature nodes, where ELK's own crossing minimization takes seconds; ELK then only
 * places the nodes in the order given here.
 */

export interface OrderInput {
  /** Node ids with their column; the input order is the starting order (and breaks ties). */
  nodes: { id: string; column: number }[];
  edges: { source: string; target: string }[];
}

const SWEEPS = 8;

/** Each column's node ids, top to bottom, keyed by column. */
export function orderColumns(input: OrderInput): Map<number, string[]> {
  const columnOf = new Map(input.nodes.map((n) => [n.id, n.column]));
  const columns = new Map<number, string[]>();
  for (const n of input.nodes) {
    const list = columns.get(n.column);
    if (list) list.push(n.id);
    else columns.set(n.column, [n.id]);
  }
  const keys = [...columns.keys()].sort((a, b) => a - b);
  // Only edges that point from a column to a later one take part; others cannot be drawn left to right.
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  const pairs: { source: string; target: string }[] = [];
  for (const e of input.edges) {
    const s = columnOf.get(e.source);
    const t = columnOf.get(e.target);
    if (s === undefined || t === undefined || s >= t) continue;
    push(preds, e.target, e.source);
    push(succs, e.source, e.target);
    pairs.push(e);
  }

  let best = cloneColumns(columns);
  let bestCrossings = crossings(best, pairs, columnOf);
  for (let sweep = 0; sweep < SWEEPS && bestCrossings > 0; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? keys : [...keys].reverse();
    const pos = positions(columns);
    for (const col of order.slice(1)) {
      const ids = columns.get(col) ?? [];
      const neighbours = down ? preds : succs;
      const key = new Map<string, number>();
      for (const id of ids) {
        const ns = neighbours.get(id);
        // A node with no neighbours on that side keeps its place (as a fraction of its column).
        key.set(id, ns && ns.length > 0 ? mean(ns.map((n) => pos.get(n) ?? 0)) : (pos.get(id) ?? 0));
      }
      // Array.sort is stable: ties keep the current order, so groups (a view's features) stay together.
      ids.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
      ids.forEach((id, i) => {
        pos.set(id, fraction(i, ids.length));
      });
    }
    const c = crossings(columns, pairs, columnOf);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = cloneColumns(columns);
    }
  }
  return best;
}

/** Edge crossings between the columns in this order: inversions of target positions, per column pair. */
export function crossings(
  columns: Map<number, string[]>,
  edges: { source: string; target: string }[],
  columnOf: Map<string, number>,
): number {
  const index = ranks(columns);
  const byPair = new Map<string, [number, number][]>();
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s === undefined || t === undefined) continue;
    const pair = `${columnOf.get(e.source)}>${columnOf.get(e.target)}`;
    const list = byPair.get(pair);
    if (list) list.push([s, t]);
    else byPair.set(pair, [[s, t]]);
  }
  let total = 0;
  for (const list of byPair.values()) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    total += inversions(list.map((p) => p[1]));
  }
  return total;
}

/** Pairs i < j with xs[i] > xs[j], by merge sort. */
function inversions(xs: number[]): number {
  if (xs.length < 2) return 0;
  const buf = new Array<number>(xs.length);
  let count = 0;
  const sort = (lo: number, hi: number) => {
    if (hi - lo < 2) return;
    const mid = (lo + hi) >> 1;
    sort(lo, mid);
    sort(mid, hi);
    let i = lo;
    let j = mid;
    let k = lo;
    while (i < mid && j < hi) {
      const a = xs[i] ?? 0;
      const b = xs[j] ?? 0;
      if (a <= b) {
        buf[k++] = a;
        i++;
      } else {
        buf[k++] = b;
        j++;
        count += mid - i;
      }
    }
    while (i < mid) buf[k++] = xs[i++] ?? 0;
    while (j < hi) buf[k++] = xs[j++] ?? 0;
    for (let m = lo; m < hi; m++) xs[m] = buf[m] ?? 0;
  };
  sort(0, xs.length);
  return count;
}

/** Each node's index in its column. */
export function ranks(columns: Map<number, string[]>): Map<string, number> {
  const rank = new Map<string, number>();
  for (const ids of columns.values()) for (const [i, id] of ids.entries()) rank.set(id, i);
  return rank;
}

function positions(columns: Map<number, string[]>): Map<string, number> {
  const pos = new Map<string, number>();
  for (const ids of columns.values())
    for (const [i, id] of ids.entries()) pos.set(id, fraction(i, ids.length));
  return pos;
}

/** Position in [0, 1], so columns of very different lengths compare. */
function fraction(i: number, n: number): number {
  return n < 2 ? 0.5 : i / (n - 1);
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function cloneColumns(columns: Map<number, string[]>): Map<number, string[]> {
  return new Map([...columns].map(([k, v]) => [k, [...v]]));
}
