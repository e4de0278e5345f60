import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { Name } from "../core/name";
import {
  onDemandViews,
  onDemandViewVersions,
  streamViews,
  streamViewVersions,
  transformations,
  transformationVersions,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import { queryWords } from "./search";

/** How many "also matches" the features page shows under its results. */
export const ALSO_MATCHES_LIMIT = 10;

export const SearchAlsoMatchesInput = z.object({
  project: Name,
  /** The features page's text query; words as search.features reads them. */
  q: z.string().max(200),
});

export const SearchAlsoMatchesResult = z.object({
  items: z.array(
    z.object({
      kind: z.enum(["feature", "transformation"]),
      /** A feature's is "view:feature"; a transformation's its name. */
      name: z.string(),
      /** The kind of a feature's view (its page lists the feature); null for a transformation. */
      viewKind: z.enum(["on_demand_view", "stream_view"]).nullable(),
      description: z.string(),
    }),
  ),
  /** Every match, of which `items` are the first ALSO_MATCHES_LIMIT. */
  total: z.number(),
});
export type SearchAlsoMatchesResult = z.infer<typeof SearchAlsoMatchesResult>;

/**
 * What the features page's text query finds outside the feature index (ADR 0028 indexes feature
 * views' features only): on-demand and stream views' features and transformations. One statement
 * over a project's few such objects (their current specs read through the (view, version) unique
 * indexes): every query word must start a word of the object's text (names, descriptions, owner,
 * tags; a stream feature's column and function; a transformation's sources). No typo correction,
 * no facets: the features page shows these as a short group of their own under its results.
 */
export const searchAlsoMatchesOp = defineOperation({
  name: "search.alsoMatches",
  summary: "On-demand and stream features and transformations matching the features page's text query.",
  kind: "query",
  access: "definitions.read",
  input: SearchAlsoMatchesInput,
  output: SearchAlsoMatchesResult,
  run: async ({ ctx, input, project: p }) => {
    const words = queryWords(input.q);
    if (words.length === 0) return { items: [], total: 0 };
    // Words are a-z0-9 only (queryWords), so they are safe inside the regular expression.
    const patterns = words.map((w) => `(^|[^a-z0-9])${w}`);
    const tagWords = (tags: string) =>
      sql.raw(`coalesce((select string_agg(k || ' ' || v, ' ') from jsonb_each_text(${tags}) t(k, v)), '')`);
    const r = await ctx.db.execute<SearchAlsoMatchesResult["items"][number] & { total: number }>(sql`
      with docs as (
        select 'feature' as kind, o.name || ':' || (e ->> 'name') as name, 'on_demand_view' as "viewKind",
          coalesce(e ->> 'description', '') as description,
          concat_ws(' ', o.name, e ->> 'name', e ->> 'description', o.description, o.owner, ${tagWords("o.tags")}) as doc
        from ${onDemandViews} o
        join ${onDemandViewVersions} v on v.on_demand_view_id = o.id and v.version = o.current_version
        cross join lateral jsonb_array_elements(v.spec -> 'fields') e
        where o.project_id = ${p.id}
        union all
        select 'feature', o.name || ':' || (e ->> 'name'), 'stream_view',
          concat_ws(' ', e ->> 'function', nullif(e ->> 'column', ''), 'over', (e ->> 'windowSeconds') || ' s'),
          concat_ws(' ', o.name, e ->> 'name', e ->> 'column', e ->> 'function', o.description, o.owner, ${tagWords("o.tags")})
        from ${streamViews} o
        join ${streamViewVersions} v on v.stream_view_id = o.id and v.version = o.current_version
        cross join lateral jsonb_array_elements(v.spec -> 'aggregations') e
        where o.project_id = ${p.id}
        union all
        select 'transformation', o.name, null, v.description,
          concat_ws(' ', o.name, v.description, v.owner, ${tagWords("v.tags")},
            (select string_agg(s, ' ') from jsonb_array_elements_text(v.sources) s))
        from ${transformations} o
        join ${transformationVersions} v on v.transformation_id = o.id and v.version = o.current_version
        where o.project_id = ${p.id}
      )
      select kind, name, "viewKind", description, count(*) over ()::int as total
      from docs d
      where lower(d.doc) ~ all(${sql.param(patterns)}::text[])
      -- names holding every word first, then by name
      order by not (lower(d.name) ~ all(${sql.param(patterns)}::text[])), d.name
      limit ${ALSO_MATCHES_LIMIT}`);
    return {
      items: r.rows.map(({ total: _, ...item }) => item),
      total: r.rows[0]?.total ?? 0,
    };
  },
});
export const searchAlsoMatches = searchAlsoMatchesOp.call;
