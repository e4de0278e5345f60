import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { Name } from "../core/name";
import {
  consumers,
  dataSources,
  datasets,
  entities,
  featureServices,
  features,
  featureViews,
  onDemandViews,
  onDemandViewVersions,
  streamViews,
  streamViewVersions,
  transformations,
} from "../db/schema";
import { defineOperation } from "../operations/define";

/** The kinds of registry object the command palette jumps to (components/catalog/links.ts's ObjectKind). */
export const OBJECT_KINDS = [
  "feature",
  "view",
  "entity",
  "source",
  "service",
  "consumer",
  "dataset",
  "transformation",
  "on_demand_view",
  "stream_view",
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** The kinds of view a feature belongs to: a feature view's, an on-demand view's or a stream view's. */
export const FEATURE_OWNER_KINDS = ["view", "on_demand_view", "stream_view"] as const;

export const SearchObjectsInput = z.object({
  project: Name,
  /** A name or the start of one, typos allowed; only letters, digits, "_" and ":" count. */
  q: z.string().max(200),
  limit: z.number().int().min(1).max(50).default(20),
});
export type SearchObjectsInput = z.input<typeof SearchObjectsInput>;

export const SearchObjectsResult = z.object({
  items: z.array(
    z.object({
      kind: z.enum(OBJECT_KINDS),
      /** The object's name; a feature's is "view:feature", as in Feast's references. */
      name: z.string(),
      deprecated: z.boolean(),
      /**
       * For a feature, the kind of the view that holds it: only a feature view's features have a
       * page of their own; an on-demand or stream view's are listed on their view's page.
       */
      viewKind: z.enum(FEATURE_OWNER_KINDS).nullable(),
    }),
  ),
});
export type SearchObjectsResult = z.infer<typeof SearchObjectsResult>;

/**
 * What a palette query searches for: lower case, runs of anything but a-z 0-9 _ : become "_",
 * no leading "_" or ":" nor trailing "_".
 */
export function objectTerm(q: string): string {
  return q
    .toLowerCase()
    .replace(/[^a-z0-9_:]+/g, "_")
    .replace(/^[_:]+|_+$/g, "")
    .slice(0, 127);
}

/** `term%` for LIKE, its "_" taken literally (the term holds no other LIKE metacharacter). */
function likePrefix(term: string): string {
  return `${term.replaceAll("_", "\\_")}%`;
}

/**
 * Objects of every kind by name, for the command palette: the exact name first, then names that
 * start with the query, then names with a word close to it (pg_trgm word similarity, typos), each
 * tier by closeness then shorter names. One statement; the features' name is served by their
 * trigram index, the other kinds' tables are a project's few hundred rows.
 */
export const searchObjectsOp = defineOperation({
  name: "search.objects",
  summary: "Find registry objects of every kind by name (the command palette).",
  kind: "query",
  access: "definitions.read",
  input: SearchObjectsInput,
  output: SearchObjectsResult,
  run: async ({ ctx, input, project: p }) => {
    const term = objectTerm(input.q);
    if (!term) return { items: [] };
    // "view:feature" searches features only, by both parts (the view's by prefix; "view:" lists
    // the view's features); anything else every kind by name.
    const colon = term.indexOf(":");
    const featureTerm = colon >= 0 ? term.slice(colon + 1) : term;
    const viewPrefix = (view: SQL) =>
      colon >= 0 ? sql` and ${view} like ${likePrefix(term.slice(0, colon))}` : sql``;
    const kind = (
      k: ObjectKind,
      t: string,
      from: SQL,
      where: SQL,
      match: SQL,
      name: SQL,
      deprecated: SQL,
      viewKind: (typeof FEATURE_OWNER_KINDS)[number] | null = null,
    ) => sql`(
      select ${k}::text as kind, ${name} as name, ${deprecated} as deprecated,
        ${viewKind}::text as "viewKind",
        case when ${match} = ${t} then 0 when ${match} like ${likePrefix(t)} then 1 else 2 end as tier,
        word_similarity(${t}, ${match}) as sim
      from ${from}
      where ${where} and (${match} like ${likePrefix(t)}${t ? sql` or ${t} <% ${match}` : sql``})
      order by tier, sim desc, length(${match}), ${match} limit ${input.limit})`;
    const named = (k: ObjectKind, table: SQL) =>
      kind(
        k,
        term,
        sql`${table} o`,
        sql`o.project_id = ${p.id}`,
        sql`o.name`,
        sql`o.name`,
        sql`o.deprecated_at is not null`,
      );
    // On-demand and stream features live in their view's current spec (a list in jsonb): each
    // view's current version is one lookup of its (view, version) unique index, and a project has
    // few such views, so their names are matched after unnesting rather than through an index.
    const specFeatures = (
      viewKind: "on_demand_view" | "stream_view",
      heads: SQL,
      versions: SQL,
      list: string,
    ) =>
      kind(
        "feature",
        featureTerm,
        sql`${heads} o join ${versions} v on v.${sql.raw(viewKind === "on_demand_view" ? "on_demand_view_id" : "stream_view_id")} = o.id
          and v.version = o.current_version
          cross join lateral jsonb_array_elements(v.spec -> ${list}) e`,
        sql`o.project_id = ${p.id}${viewPrefix(sql`o.name`)}`,
        sql`(e ->> 'name')`,
        sql`o.name || ':' || (e ->> 'name')`,
        sql`o.deprecated_at is not null`,
        viewKind,
      );
    const r = await ctx.db.execute<SearchObjectsResult["items"][number]>(sql`
      select kind, name, deprecated, "viewKind" from (
        ${kind(
          "feature",
          featureTerm,
          sql`${features} f join ${featureViews} v on v.id = f.feature_view_id`,
          sql`f.project_id = ${p.id}${viewPrefix(sql`f.view_name`)}`,
          sql`f.name`,
          sql`f.view_name || ':' || f.name`,
          sql`v.deprecated_at is not null`,
          "view",
        )}
        union all ${specFeatures("on_demand_view", sql`${onDemandViews}`, sql`${onDemandViewVersions}`, "fields")}
        union all ${specFeatures("stream_view", sql`${streamViews}`, sql`${streamViewVersions}`, "aggregations")}
        ${
          colon >= 0
            ? sql``
            : sql`
        union all ${named("view", sql`${featureViews}`)}
        union all ${named("entity", sql`${entities}`)}
        union all ${named("source", sql`${dataSources}`)}
        union all ${named("service", sql`${featureServices}`)}
        union all ${named("consumer", sql`${consumers}`)}
        union all ${named("dataset", sql`${datasets}`)}
        union all ${named("transformation", sql`${transformations}`)}
        union all ${named("on_demand_view", sql`${onDemandViews}`)}
        union all ${named("stream_view", sql`${streamViews}`)}`
        }
      ) hits
      order by tier, sim desc, length(name), name, kind
      limit ${input.limit}`);
    return { items: r.rows };
  },
});
export const searchObjects = searchObjectsOp.call;
