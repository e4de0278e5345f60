import "server-only";
import { and, arrayOverlaps, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { schema } from "../db/client";
import { defineOperation } from "../operations/define";
import { addOnDemandViews, addStreamViews, addTransformations } from "./lineage/engine-nodes";
import * as engineReads from "./lineage/engine-reads";
import { type LineageNeighborhood, neighborhood, overview, searchNodes, summarize } from "./lineage/explore";
import * as out from "./lineage/outputs";
import {
  LINEAGE_KINDS,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  lineageEdgeId,
  lineageNodeId,
} from "./lineage/types";

/**
 * Lineage: the project's registry as a DAG, source/entity -> feature view -> feature ->
 * feature service -> consumer, and feature view -> saved dataset -> consumer (the models trained
 * on it). The graph is built from one query per table (a fixed number,
 * whatever the project's size) and then traversed in memory.
 */

export const LineageInput = z.object({ project: Name });
/** Caps of every bounded lineage answer: no request makes the server send or lay out more. */
export const NEIGHBORHOOD_MAX_NODES = 1000;
export const NEIGHBORHOOD_DEFAULT_NODES = 300;
export const NEIGHBORHOOD_MAX_FANOUT = 500;
export const NEIGHBORHOOD_DEFAULT_FANOUT = 50;
/** The most nodes lineage.graph (the whole graph, for scripts) answers. */
export const GRAPH_MAX_NODES = 10_000;
/** The overview (features folded) is sent only up to this many nodes; above it, the summary alone. */
export const OVERVIEW_MAX_NODES = 400;

export const NeighborhoodInput = z.object({
  project: Name,
  nodeId: z.string().min(1).max(200),
  direction: z.enum(["upstream", "downstream", "both"]).default("both"),
  /** Hops from the node; as far as the node caps allow when omitted. */
  depth: z.number().int().min(1).max(100).optional(),
  /** At most this many nodes, the focus included. */
  limit: z.number().int().min(1).max(NEIGHBORHOOD_MAX_NODES).default(NEIGHBORHOOD_DEFAULT_NODES),
  /** At most this many neighbours taken from one node in one direction (a view's features, say). */
  fanout: z.number().int().min(1).max(NEIGHBORHOOD_MAX_FANOUT).default(NEIGHBORHOOD_DEFAULT_FANOUT),
});
export const LineageSearchInput = z.object({
  project: Name,
  q: z.string().trim().min(1).max(100),
  limit: z.number().int().min(1).max(50).default(20),
});
export const FeatureConsumersInput = z.object({ project: Name, featureView: Name, feature: Name });

export interface FeatureConsumers {
  featureView: string;
  feature: string;
  /** The feature services whose projections include the feature (by name or by "*"), sorted by name. */
  featureServices: { name: string; owner: string }[];
  /** Consumers reading one or more of those services, sorted by name; `via` lists the services. */
  consumers: { name: string; kind: "model" | "service"; owner: string; via: string[] }[];
}

export const getLineageOp = defineOperation({
  name: "lineage.graph",
  summary:
    "The project's whole lineage DAG (sources and entities, views, features, services, datasets, consumers), up to 10,000 nodes; pages use lineage.overview and lineage.neighborhood.",
  kind: "query",
  access: "definitions.read",
  input: LineageInput,
  output: out.LineageGraph,
  run: async ({ ctx, project }): Promise<LineageGraph> => {
    const graph = await buildGraph(ctx, project.name, project.id);
    if (graph.nodes.length > GRAPH_MAX_NODES)
      throw new InvalidError(
        `project "${project.name}" has ${graph.nodes.length} lineage nodes, more than the ${GRAPH_MAX_NODES} lineage.graph sends: ask lineage.overview or lineage.neighborhood instead`,
        "project",
      );
    return graph;
  },
});
export const getLineage = getLineageOp.call;

export const getNeighborhoodOp = defineOperation({
  name: "lineage.neighborhood",
  summary:
    "The part of the lineage DAG upstream and/or downstream of one node, to a depth, under a node cap and a per-node fan-out cap, with every node's neighbour counts (how many are hidden).",
  kind: "query",
  access: "definitions.read",
  input: NeighborhoodInput,
  output: out.LineageNeighborhood,
  run: async ({
    ctx,
    input: { nodeId, direction, depth, limit, fanout },
    project,
  }): Promise<LineageNeighborhood> => {
    const graph = await buildGraph(ctx, project.name, project.id);
    if (!graph.nodes.some((n) => n.id === nodeId))
      throw new NotFoundError(`lineage node "${nodeId}" not found in project "${project.name}"`, "nodeId");
    return neighborhood(graph, nodeId, { direction, depth: depth ?? 100, limit, fanout });
  },
});
export const getNeighborhood = getNeighborhoodOp.call;

export const getLineageOverviewOp = defineOperation({
  name: "lineage.overview",
  summary:
    "A bounded first look at the project's lineage: counts per kind, the sources, views and services with most fan-out, and the graph with features folded when it is small enough to draw.",
  kind: "query",
  access: "definitions.read",
  input: LineageInput,
  output: out.LineageOverview,
  run: async ({ ctx, project }) => {
    const graph = await buildGraph(ctx, project.name, project.id);
    return { summary: summarize(graph), graph: overview(graph, OVERVIEW_MAX_NODES), cap: OVERVIEW_MAX_NODES };
  },
});
export const getLineageOverview = getLineageOverviewOp.call;

export const searchLineageOp = defineOperation({
  name: "lineage.search",
  summary: "Lineage nodes whose name contains the text (a feature as view:feature), best matches first.",
  kind: "query",
  access: "definitions.read",
  input: LineageSearchInput,
  output: out.LineageSearch,
  run: async ({ ctx, input: { q, limit }, project }) => {
    const graph = await buildGraph(ctx, project.name, project.id);
    return { hits: searchNodes(graph, q, limit) };
  },
});
export const searchLineage = searchLineageOp.call;

export const getFeatureConsumersOp = defineOperation({
  name: "lineage.featureConsumers",
  summary: "Who consumes one feature: the feature services that include it and the consumers that read them.",
  kind: "query",
  access: "definitions.read",
  input: FeatureConsumersInput,
  output: out.FeatureConsumers,
  run: ({ ctx, input, project: p }) => featureConsumers(ctx, p.id, input),
});
export const getFeatureConsumers = getFeatureConsumersOp.call;

async function featureConsumers(
  ctx: Ctx,
  projectId: string,
  { project, featureView, feature }: z.output<typeof FeatureConsumersInput>,
): Promise<FeatureConsumers> {
  const { featureViews: fv, features: f, featureServices: fs, featureServiceProjections: fsp } = schema;

  const [view] = await ctx.db
    .select({ id: fv.id })
    .from(fv)
    .where(and(eq(fv.projectId, projectId), eq(fv.name, featureView)));
  if (!view)
    throw new NotFoundError(`feature view "${featureView}" not found in project "${project}"`, "featureView");
  const [feat] = await ctx.db
    .select({ id: f.id })
    .from(f)
    .where(and(eq(f.featureViewId, view.id), eq(f.name, feature)));
  if (!feat) throw new NotFoundError(`feature "${featureView}:${feature}" not found`, "feature");

  const services = await ctx.db
    .select({ id: fs.id, name: fs.name, owner: fs.owner })
    .from(fsp)
    .innerJoin(fs, eq(fs.id, fsp.featureServiceId))
    .where(and(eq(fsp.featureViewId, view.id), arrayOverlaps(fsp.featureNames, [feature, "*"])))
    .orderBy(asc(fs.name));
  if (services.length === 0) return { featureView, feature, featureServices: [], consumers: [] };

  const { consumers: c, consumerFeatureServices: cfs } = schema;
  const serviceNames = new Map(services.map((s) => [s.id, s.name]));
  const reads = await ctx.db
    .select({ name: c.name, kind: c.kind, owner: c.owner, serviceId: cfs.featureServiceId })
    .from(cfs)
    .innerJoin(c, eq(c.id, cfs.consumerId))
    .where(and(eq(c.projectId, projectId), inArray(cfs.featureServiceId, [...serviceNames.keys()])))
    .orderBy(asc(c.name));
  return {
    featureView,
    feature,
    featureServices: services.map(({ name, owner }) => ({ name, owner })),
    consumers: groupConsumers(reads, serviceNames),
  };
}

function groupConsumers(
  reads: { name: string; kind: "model" | "service"; owner: string; serviceId: string }[],
  serviceNames: Map<string, string>,
): FeatureConsumers["consumers"] {
  const byName = new Map<string, FeatureConsumers["consumers"][number]>();
  for (const r of reads) {
    const via = serviceNames.get(r.serviceId);
    if (via === undefined) continue;
    const entry = byName.get(r.name) ?? { name: r.name, kind: r.kind, owner: r.owner, via: [] };
    entry.via.push(via);
    byName.set(r.name, entry);
  }
  for (const e of byName.values()) e.via.sort();
  return [...byName.values()];
}

async function buildGraph(ctx: Ctx, project: string, projectId: string): Promise<LineageGraph> {
  const {
    dataSources: ds,
    entities: en,
    featureViews: fv,
    featureViewEntities: fve,
    features: f,
    featureServices: fs,
    featureServiceProjections: fsp,
    consumers: c,
    consumerFeatureServices: cfs,
    datasets: dt,
    datasetFeatureViews: dfv,
    consumerDatasets: cd,
  } = schema;
  const db = ctx.db;
  // Independent reads; inside a transaction they queue on its one connection, which is fine.
  const [
    sources,
    entities,
    views,
    viewEntities,
    features,
    services,
    projections,
    consumers,
    reads,
    datasets,
    datasetViews,
    trainedOn,
    transformations,
    streamViews,
    onDemandViews,
    onDemandProjections,
  ] = await Promise.all([
    db
      .select({
        name: ds.name,
        kind: ds.kind,
        tableName: ds.tableName,
        owner: ds.owner,
        description: ds.description,
      })
      .from(ds)
      .where(eq(ds.projectId, projectId))
      .orderBy(asc(ds.name)),
    db
      .select({
        name: en.name,
        joinKey: en.joinKey,
        valueType: en.valueType,
        owner: en.owner,
        description: en.description,
      })
      .from(en)
      .where(eq(en.projectId, projectId))
      .orderBy(asc(en.name)),
    db
      .select({
        id: fv.id,
        name: fv.name,
        owner: fv.owner,
        description: fv.description,
        version: fv.currentVersion,
        online: fv.online,
        ttlSeconds: fv.ttlSeconds,
        source: ds.name,
      })
      .from(fv)
      .innerJoin(ds, eq(ds.id, fv.sourceId))
      .where(eq(fv.projectId, projectId))
      .orderBy(asc(fv.name)),
    db
      .select({ view: fv.name, entity: en.name })
      .from(fve)
      .innerJoin(fv, eq(fv.id, fve.featureViewId))
      .innerJoin(en, eq(en.id, fve.entityId))
      .where(eq(fv.projectId, projectId))
      .orderBy(asc(fv.name), asc(fve.position)),
    db
      .select({ view: f.viewName, name: f.name, dtype: f.dtype, owner: f.owner, description: f.description })
      .from(f)
      .where(eq(f.projectId, projectId))
      .orderBy(asc(f.viewName), asc(f.position)),
    db
      .select({ name: fs.name, owner: fs.owner, description: fs.description })
      .from(fs)
      .where(eq(fs.projectId, projectId))
      .orderBy(asc(fs.name)),
    db
      .select({ service: fs.name, view: fv.name, featureNames: fsp.featureNames })
      .from(fsp)
      .innerJoin(fs, eq(fs.id, fsp.featureServiceId))
      .innerJoin(fv, eq(fv.id, fsp.featureViewId))
      .where(eq(fs.projectId, projectId))
      .orderBy(asc(fs.name), asc(fv.name)),
    db
      .select({ name: c.name, kind: c.kind, owner: c.owner, description: c.description })
      .from(c)
      .where(eq(c.projectId, projectId))
      .orderBy(asc(c.name)),
    db
      .select({ consumer: c.name, service: fs.name })
      .from(cfs)
      .innerJoin(c, eq(c.id, cfs.consumerId))
      .innerJoin(fs, eq(fs.id, cfs.featureServiceId))
      .where(eq(c.projectId, projectId))
      .orderBy(asc(fs.name), asc(c.name)),
    db
      .select({
        name: dt.name,
        owner: dt.owner,
        description: dt.description,
        status: dt.status,
        rows: dt.rowsDone,
        storage: dt.storageKind,
      })
      .from(dt)
      .where(eq(dt.projectId, projectId))
      .orderBy(asc(dt.name)),
    db
      .select({ dataset: dt.name, view: fv.name, version: dfv.featureViewVersion })
      .from(dfv)
      .innerJoin(dt, eq(dt.id, dfv.datasetId))
      .innerJoin(fv, eq(fv.id, dfv.featureViewId))
      .where(eq(dt.projectId, projectId))
      .orderBy(asc(fv.name), asc(dt.name)),
    db
      .select({ consumer: c.name, dataset: dt.name })
      .from(cd)
      .innerJoin(c, eq(c.id, cd.consumerId))
      .innerJoin(dt, eq(dt.id, cd.datasetId))
      .where(eq(c.projectId, projectId))
      .orderBy(asc(dt.name), asc(c.name)),
    engineReads.transformations(db, projectId),
    engineReads.streamViews(db, projectId),
    engineReads.onDemandViews(db, projectId),
    engineReads.onDemandProjections(db, projectId),
  ]);

  const nodes: LineageNode[] = [];
  const edges = new Map<string, LineageEdge>();
  const addEdge = (source: string, target: string) => {
    const id = lineageEdgeId(source, target);
    edges.set(id, { id, source, target });
  };

  for (const s of sources)
    nodes.push({
      id: lineageNodeId("source", s.name),
      kind: "source",
      name: s.name,
      label: s.name,
      meta: { owner: s.owner, description: s.description, sourceKind: s.kind, table: s.tableName },
    });
  const projected = new Map<string, { count: number; missing: string[] }>();
  const tally = (service: string) => {
    const t = projected.get(service) ?? { count: 0, missing: [] };
    projected.set(service, t);
    return t;
  };
  // The engines' edges are drawn only between nodes already there (a dangling name is left out).
  let known = new Set<string>();
  const has = (id: string) => {
    if (known.size !== nodes.length) known = new Set(nodes.map((n) => n.id));
    return known.has(id);
  };
  const sink = { nodes, has, addEdge, tally };
  addTransformations(transformations, sink);
  for (const e of entities)
    nodes.push({
      id: lineageNodeId("entity", e.name),
      kind: "entity",
      name: e.name,
      label: e.name,
      meta: { owner: e.owner, description: e.description, joinKey: e.joinKey, valueType: e.valueType },
    });

  const featuresOf = new Map<string, string[]>();
  for (const ft of features) {
    const list = featuresOf.get(ft.view);
    if (list) list.push(ft.name);
    else featuresOf.set(ft.view, [ft.name]);
    const id = lineageNodeId("feature", ft.view, ft.name);
    nodes.push({
      id,
      kind: "feature",
      name: ft.name,
      label: ft.name,
      meta: { owner: ft.owner, description: ft.description, dtype: ft.dtype, featureView: ft.view },
    });
    addEdge(lineageNodeId("feature_view", ft.view), id);
  }
  for (const v of views) {
    const id = lineageNodeId("feature_view", v.name);
    nodes.push({
      id,
      kind: "feature_view",
      name: v.name,
      label: v.name,
      meta: {
        owner: v.owner,
        description: v.description,
        version: v.version,
        online: v.online,
        ttlSeconds: v.ttlSeconds,
        featureCount: featuresOf.get(v.name)?.length ?? 0,
      },
    });
    addEdge(lineageNodeId("source", v.source), id);
  }
  for (const ve of viewEntities)
    addEdge(lineageNodeId("entity", ve.entity), lineageNodeId("feature_view", ve.view));
  addStreamViews(streamViews, sink);

  for (const p of projections) {
    const serviceId = lineageNodeId("feature_service", p.service);
    const available = featuresOf.get(p.view) ?? [];
    const names = p.featureNames.includes("*") ? available : p.featureNames;
    const counted = tally(p.service);
    for (const name of new Set(names)) {
      // A service may still name a feature a newer view version dropped: it is reported, not drawn.
      if (!available.includes(name)) {
        counted.missing.push(`${p.view}:${name}`);
        continue;
      }
      counted.count++;
      addEdge(lineageNodeId("feature", p.view, name), serviceId);
    }
  }
  addOnDemandViews(onDemandViews, onDemandProjections, sink);
  for (const s of services) {
    const counted = projected.get(s.name);
    nodes.push({
      id: lineageNodeId("feature_service", s.name),
      kind: "feature_service",
      name: s.name,
      label: s.name,
      meta: {
        owner: s.owner,
        description: s.description,
        featureCount: counted?.count ?? 0,
        missingFeatures: counted && counted.missing.length > 0 ? counted.missing.sort().join(", ") : null,
      },
    });
  }
  for (const cn of consumers)
    nodes.push({
      id: lineageNodeId("consumer", cn.name),
      kind: "consumer",
      name: cn.name,
      label: cn.name,
      meta: { owner: cn.owner, description: cn.description, consumerKind: cn.kind },
    });
  for (const r of reads)
    addEdge(lineageNodeId("feature_service", r.service), lineageNodeId("consumer", r.consumer));
  for (const d of datasets)
    nodes.push({
      id: lineageNodeId("dataset", d.name),
      kind: "dataset",
      name: d.name,
      label: d.name,
      meta: {
        owner: d.owner,
        description: d.description,
        status: d.status,
        rows: d.rows,
        storage: d.storage,
      },
    });
  // The view (at the version the rows were read with) -> the dataset -> the models trained on it.
  for (const dv of datasetViews)
    addEdge(lineageNodeId("feature_view", dv.view), lineageNodeId("dataset", dv.dataset));
  for (const t of trainedOn)
    addEdge(lineageNodeId("dataset", t.dataset), lineageNodeId("consumer", t.consumer));

  return { project, nodes: sortByColumn(nodes), edges: [...edges.values()] };
}

const KIND_ORDER = new Map(LINEAGE_KINDS.map((k, i) => [k, i]));

/**
 * Column order; within a kind, the queries' order (by name, features by view then position). The
 * same registry always gives the same graph, so layouts are stable and features keep their order.
 */
function sortByColumn(nodes: LineageNode[]): LineageNode[] {
  return nodes.sort((a, b) => (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0));
}
