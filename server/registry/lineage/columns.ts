/**
 * Column-level lineage of transformations (docs/adr/0039): which source columns an output column
 * is computed from (stored with each transformation version, derived from the parsed SQL by
 * server/transformations/analyze.ts), and which features read it. Pure: the lineage.columns
 * operation (server/registry/lineage-columns.ts) reads the rows and asks here.
 */

export interface ColumnRef {
  source: string;
  column: string;
}

export interface ColumnFeature {
  /** The feature's lineage node id, `feature:view:feature`. */
  id: string;
  view: string;
  name: string;
}

/** One output column of one transformation and what it comes from. */
export interface ColumnStep {
  transformation: string;
  /** The output column: the transformation's output source and the column's name. */
  output: ColumnRef;
  from: ColumnRef[];
  /** Features of views over the output source that read this column (by name or field mapping). */
  features: ColumnFeature[];
}

export interface ColumnLineage {
  nodeId: string;
  /** A feature's own column: the source column its view reads for it (null for a transformation). */
  reads: ColumnRef | null;
  /**
   * A transformation: each of its output columns, in output order. A feature: the output columns on
   * its way upstream, nearest first (a chain of transformations gives several), each once.
   */
  steps: ColumnStep[];
  /**
   * The columns everything starts from: source columns no transformation computes, sorted. For a
   * feature of a view over a plain source, its own column.
   */
  origins: ColumnRef[];
}

export interface ColumnRegistry {
  transformations: {
    name: string;
    output: string;
    columns: { name: string; from: ColumnRef[] }[];
  }[];
  /** Each source's field mapping (column -> feature or join key name). */
  fieldMappings: Map<string, Record<string, string>>;
  /** Feature views (regular ones: on-demand and stream views read no source columns). */
  views: { name: string; source: string; features: string[] }[];
}

/** The source column a view reads for a field: the mapping's key naming it, else the field's name. */
export function columnOfField(mapping: Record<string, string> | undefined, field: string): string {
  for (const [column, mapped] of Object.entries(mapping ?? {})) if (mapped === field) return column;
  return field;
}

const key = (r: ColumnRef) => `${r.source}\u0000${r.column}`;
const compare = (a: ColumnRef, b: ColumnRef) =>
  a.source.localeCompare(b.source) || a.column.localeCompare(b.column);

class Index {
  /** Output column -> its transformation and inputs. */
  readonly outputs = new Map<string, { transformation: string; from: ColumnRef[] }>();
  /** Source column -> the features reading it. */
  readonly readers = new Map<string, ColumnFeature[]>();

  constructor(readonly registry: ColumnRegistry) {
    for (const t of registry.transformations)
      for (const c of t.columns)
        this.outputs.set(key({ source: t.output, column: c.name }), { transformation: t.name, from: c.from });
    for (const v of registry.views)
      for (const f of v.features) {
        const ref = { source: v.source, column: columnOfField(registry.fieldMappings.get(v.source), f) };
        const list = this.readers.get(key(ref)) ?? [];
        list.push({ id: `feature:${v.name}:${f}`, view: v.name, name: f });
        this.readers.set(key(ref), list);
      }
  }

  step(output: ColumnRef): ColumnStep | null {
    const o = this.outputs.get(key(output));
    if (!o) return null;
    return {
      transformation: o.transformation,
      output,
      from: [...o.from],
      features: this.readers.get(key(output)) ?? [],
    };
  }
}

/** Every output column of one transformation, with its inputs and readers; null when it is unknown. */
export function transformationColumns(registry: ColumnRegistry, name: string): ColumnLineage | null {
  const t = registry.transformations.find((x) => x.name === name);
  if (!t) return null;
  const index = new Index(registry);
  const steps = t.columns.flatMap((c) => index.step({ source: t.output, column: c.name }) ?? []);
  const origins = new Map<string, ColumnRef>();
  for (const s of steps) for (const f of s.from) origins.set(key(f), f);
  return {
    nodeId: `transformation:${name}`,
    reads: null,
    steps,
    origins: [...origins.values()].sort(compare),
  };
}

/**
 * Where one feature of a feature view comes from: its column, then upstream through every
 * transformation whose output holds it, breadth first, each output column once (so a cycle of
 * transformations ends). Null when the view or feature is unknown.
 */
export function featureColumns(
  registry: ColumnRegistry,
  view: string,
  feature: string,
): ColumnLineage | null {
  const v = registry.views.find((x) => x.name === view);
  if (!v?.features.includes(feature)) return null;
  const index = new Index(registry);
  const reads = { source: v.source, column: columnOfField(registry.fieldMappings.get(v.source), feature) };
  const steps: ColumnStep[] = [];
  const origins = new Map<string, ColumnRef>();
  const seen = new Set<string>([key(reads)]);
  let frontier = [reads];
  while (frontier.length > 0) {
    const next: ColumnRef[] = [];
    for (const ref of frontier) {
      const step = index.step(ref);
      if (!step) {
        origins.set(key(ref), ref);
        continue;
      }
      steps.push(step);
      for (const f of step.from)
        if (!seen.has(key(f))) {
          seen.add(key(f));
          next.push(f);
        }
    }
    frontier = next;
  }
  return { nodeId: `feature:${view}:${feature}`, reads, steps, origins: [...origins.values()].sort(compare) };
}
