import { type LineageMeta, type LineageNode, lineageNodeId } from "./types";

/**
 * The lineage nodes and edges of the three engines of docs/adr/0039 (transformations, stream
 * views, on-demand views), from the rows buildGraph reads. Pure: no database, so it is tested on
 * plain rows. `addEdge` draws only between nodes the graph has (a dangling reference is left out).
 */

export interface TransformationRow {
  name: string;
  owner: string;
  description: string;
  version: number;
  engine: string;
  output: string;
  /** The sources the current version reads, by name. */
  reads: string[];
  columnCount: number;
  notIncremental: string[];
}

export interface StreamViewRow {
  name: string;
  owner: string;
  description: string;
  version: number;
  streamKey: string;
  tileSeconds: number;
  /** The current version's stored spec (StreamViewSpec), read loosely: only names and types. */
  spec: unknown;
}

export interface OnDemandViewRow {
  name: string;
  owner: string;
  description: string;
  version: number;
  /** The current version's stored spec (OnDemandViewSpec), read loosely. */
  spec: unknown;
}

export interface OnDemandProjectionRow {
  service: string;
  view: string;
  featureNames: string[];
}

interface Sink {
  nodes: LineageNode[];
  has: (id: string) => boolean;
  addEdge: (source: string, target: string) => void;
  /** Services' tallies (features drawn, features named but missing), shared with feature views'. */
  tally: (service: string) => { count: number; missing: string[] };
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** source -> transformation -> output source, for each source the current version reads. */
export function addTransformations(rows: TransformationRow[], sink: Sink): void {
  for (const t of rows) {
    const id = lineageNodeId("transformation", t.name);
    sink.nodes.push({
      id,
      kind: "transformation",
      name: t.name,
      label: t.name,
      meta: {
        owner: t.owner,
        description: t.description,
        version: t.version,
        engine: t.engine,
        output: t.output,
        columnCount: t.columnCount,
        incremental: t.notIncremental.length === 0,
      },
    });
  }
  for (const t of rows) {
    const id = lineageNodeId("transformation", t.name);
    for (const r of t.reads) {
      const from = lineageNodeId("source", r);
      if (sink.has(from)) sink.addEdge(from, id);
    }
    const out = lineageNodeId("source", t.output);
    if (sink.has(out)) sink.addEdge(id, out);
  }
}

/** entity -> stream view -> its aggregations as features. Services cannot name stream features yet (ADR 0037). */
export function addStreamViews(rows: StreamViewRow[], sink: Sink): Map<string, string[]> {
  const featuresOf = new Map<string, string[]>();
  for (const v of rows) {
    const spec = record(v.spec);
    const id = lineageNodeId("stream_view", v.name);
    const aggregations = list(spec.aggregations).map(record);
    sink.nodes.push({
      id,
      kind: "stream_view",
      name: v.name,
      label: v.name,
      meta: {
        owner: v.owner,
        description: v.description,
        version: v.version,
        stream: v.streamKey,
        tileSeconds: v.tileSeconds,
        featureCount: aggregations.length,
      },
    });
    for (const entity of list(spec.entities)) {
      const from = lineageNodeId("entity", str(entity));
      if (sink.has(from)) sink.addEdge(from, id);
    }
    const names: string[] = [];
    for (const a of aggregations) {
      const name = str(a.name);
      if (name === "") continue;
      names.push(name);
      const meta: LineageMeta = {
        owner: v.owner,
        description: "",
        dtype: aggregationType(str(a.function)),
        featureView: v.name,
        viewKind: "stream_view",
        aggregation: `${str(a.function)}${str(a.column) ? `(${str(a.column)})` : "(*)"} over ${windowLabel(a.windowSeconds)}`,
      };
      const fid = lineageNodeId("feature", v.name, name);
      sink.nodes.push({ id: fid, kind: "feature", name, label: name, meta });
      sink.addEdge(id, fid);
    }
    featuresOf.set(v.name, names);
  }
  return featuresOf;
}

/**
 * Input features -> on-demand view -> its features -> the services that list them (`odv:feature`
 * or `odv:*`). Inputs are "view:feature" references of regular feature views.
 */
export function addOnDemandViews(
  rows: OnDemandViewRow[],
  projections: OnDemandProjectionRow[],
  sink: Sink,
): void {
  const featuresOf = new Map<string, string[]>();
  for (const v of rows) {
    const spec = record(v.spec);
    const id = lineageNodeId("on_demand_view", v.name);
    const fields = list(spec.fields).map(record);
    const requestFields = list(spec.requestFields)
      .map((f) => str(record(f).name))
      .filter(Boolean);
    sink.nodes.push({
      id,
      kind: "on_demand_view",
      name: v.name,
      label: v.name,
      meta: {
        owner: v.owner,
        description: v.description,
        version: v.version,
        featureCount: fields.length,
        requestFields: requestFields.length > 0 ? requestFields.join(", ") : null,
      },
    });
    for (const ref of list(spec.inputs)) {
      const [view = "", feature = ""] = str(ref).split(":");
      const from = lineageNodeId("feature", view, feature);
      if (sink.has(from)) sink.addEdge(from, id);
    }
    const names: string[] = [];
    for (const f of fields) {
      const name = str(f.name);
      if (name === "") continue;
      names.push(name);
      const fid = lineageNodeId("feature", v.name, name);
      sink.nodes.push({
        id: fid,
        kind: "feature",
        name,
        label: name,
        meta: {
          owner: v.owner,
          description: str(f.description),
          dtype: str(f.dtype),
          featureView: v.name,
          viewKind: "on_demand_view",
          expression: str(f.expression),
        },
      });
      sink.addEdge(id, fid);
    }
    featuresOf.set(v.name, names);
  }
  for (const p of projections) {
    const available = featuresOf.get(p.view) ?? [];
    const names = p.featureNames.includes("*") ? available : p.featureNames;
    const tally = sink.tally(p.service);
    for (const name of new Set(names)) {
      if (!available.includes(name)) {
        tally.missing.push(`${p.view}:${name}`);
        continue;
      }
      tally.count++;
      sink.addEdge(lineageNodeId("feature", p.view, name), lineageNodeId("feature_service", p.service));
    }
  }
}

/** What a stream aggregation serves: counts are whole, sums and averages numbers; `last` is the event's own value. */
function aggregationType(fn: string): string | null {
  return fn === "count" ? "int64" : fn === "last" ? null : "float64";
}

function windowLabel(seconds: unknown): string {
  const s = typeof seconds === "number" ? seconds : 0;
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
