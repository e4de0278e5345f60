import "server-only";
import { and, arrayContains, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { Name } from "../core/name";
import { features } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";

export const SearchFeaturesInput = z.object({
  project: Name,
  /** Free text over names, view names and descriptions; prefix and typo tolerant. */
  q: z.string().max(200).default(""),
  /** "key:value" pairs; a feature must carry all of them. */
  tags: z
    .array(
      z
        .string()
        .min(3)
        .max(330)
        .regex(/^[^:]+:.*$/, 'must be "key:value"'),
    )
    .max(20)
    .default([]),
  owner: z.string().max(256).optional(),
  entity: Name.optional(),
  view: Name.optional(),
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).max(100_000).default(0),
});
export type SearchFeaturesInput = z.input<typeof SearchFeaturesInput>;

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchFeaturesResult {
  total: number;
  items: {
    featureView: string;
    name: string;
    dtype: string;
    description: string;
    tags: Record<string, string>;
    owner: string;
    entities: string[];
    rank: number;
  }[];
  facets: { tags: FacetCount[]; owners: FacetCount[]; entities: FacetCount[]; views: FacetCount[] };
}

/** Words of the query as prefix terms for the 'simple' dictionary: "conv rat" -> conv:* & rat:*. */
function prefixQuery(q: string): string {
  const words = q
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 10);
  return words.map((w) => `${w}:*`).join(" & ");
}

/**
 * Ranked, faceted feature search in Postgres: full-text matching (names weigh more than
 * descriptions) plus trigram similarity on the name for typos, filtered by tags, owner, entity
 * and view. Facet counts are over the whole filtered result, not just the page.
 */
export const searchFeaturesOp = defineOperation({
  name: "search.features",
  summary: "Search features by text, tags, owner and entity, with facets.",
  kind: "query",
  access: "definitions.read",
  input: SearchFeaturesInput,
  output: out.SearchResult,
  run: async ({ ctx, input: args, project: p }) => {
    const q = args.q.trim();
    const prefix = prefixQuery(q);

    const filters: SQL[] = [eq(features.projectId, p.id)];
    if (args.tags.length) filters.push(arrayContains(features.tagPairs, args.tags));
    if (args.owner) filters.push(eq(features.owner, args.owner));
    if (args.entity) filters.push(arrayContains(features.entityNames, [args.entity]));
    if (args.view) filters.push(eq(features.viewName, args.view));

    let rank: SQL = sql`0`;
    if (q) {
      const textMatch = prefix
        ? sql`(${features.searchVector} @@ to_tsquery('simple', ${prefix}) or ${features.searchVector} @@ websearch_to_tsquery('english', ${q}))`
        : sql`false`;
      filters.push(
        sql`(${textMatch} or ${features.name} % ${q.toLowerCase()} or ${features.name} ilike ${`%${escapeLike(q.toLowerCase())}%`})`,
      );
      const tsRank = prefix
        ? sql`ts_rank(${features.searchVector}, to_tsquery('simple', ${prefix}) || websearch_to_tsquery('english', ${q}))`
        : sql`0`;
      rank = sql`(${tsRank} + similarity(${features.name}, ${q.toLowerCase()}))`;
    }
    const where = and(...filters);

    const items = await ctx.db
      .select({
        featureView: features.viewName,
        name: features.name,
        dtype: features.dtype,
        description: features.description,
        tags: features.tags,
        owner: features.owner,
        entities: features.entityNames,
        rank: sql<number>`${rank}::float8`,
      })
      .from(features)
      .where(where)
      .orderBy(...(q ? [sql`${rank} desc`] : []), features.viewName, features.position)
      .limit(args.limit)
      .offset(args.offset);

    const facetRows = await ctx.db.execute<{ facet: string; value: string; count: number }>(sql`
    with hits as (select * from ${features} where ${where})
    select 'total' as facet, '' as value, count(*)::int as count from hits
    union all select 'tags', t, count(*)::int from hits, unnest(tag_pairs) t group by t
    union all select 'owners', owner, count(*)::int from hits where owner <> '' group by owner
    union all select 'entities', e, count(*)::int from hits, unnest(entity_names) e group by e
    union all select 'views', view_name, count(*)::int from hits group by view_name
  `);
    const facets: SearchFeaturesResult["facets"] = { tags: [], owners: [], entities: [], views: [] };
    let total = 0;
    for (const r of facetRows.rows) {
      if (r.facet === "total") total = r.count;
      else facets[r.facet as keyof typeof facets].push({ value: r.value, count: r.count });
    }
    for (const list of Object.values(facets))
      list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return { total, items, facets };
  },
});
export const searchFeatures = searchFeaturesOp.call;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
