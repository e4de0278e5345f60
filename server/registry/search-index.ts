import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { features, searchViews, searchWords } from "../db/schema";

/**
 * What search indexes for a feature beyond its own columns (docs/adr/0028-search-at-scale.md):
 * the words ranked second (view name, owner, tag keys and values, entity names) and whether the
 * feature carries tags of its own (facets count the others through their view's tags).
 */
export function searchColumns(f: {
  viewName: string;
  owner: string;
  tagPairs: string[];
  entityNames: string[];
  ownTags: Record<string, string> | undefined;
}): { keywords: string; ownKeywords: string; ownTags: boolean } {
  const own = Object.entries(f.ownTags ?? {}).map(([k, v]) => `${k}:${v}`);
  return {
    keywords: ` ${indexWords([f.viewName, f.owner, ...f.tagPairs, ...f.entityNames].join(" ")).join(" ")} `,
    ownKeywords: indexWords(own.join(" ")).join(" "),
    ownTags: own.length > 0,
  };
}

/**
 * Text as the index splits it: lower case, runs of a-z0-9 (the generated search_vector's
 * regexp_replace); keywords are stored so, space-separated and space-framed, so search can test
 * "a keyword starts with w" as `keywords like '% w%'` without parsing.
 */
export function indexWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Indexes a view whose feature rows were just written, in the caller's transaction, so search is
 * never behind the registry: its search_views row (the view's own words and feature counts), its
 * features' unshared words, and its words in the project's lexicon. The lexicon's words are the rows' own lexemes (the generated
 * search_vector), so the lexicon and the index cannot disagree on how text is split.
 */
export async function indexViewForSearch(
  ctx: Ctx,
  view: { id: string; projectId: string; name: string; owner: string; tags: Record<string, string> },
  entityNames: string[],
): Promise<void> {
  const { id: featureViewId, projectId } = view;
  const words = indexWords(
    [view.name, view.owner, ...Object.entries(view.tags).map(([k, v]) => `${k} ${v}`), ...entityNames].join(
      " ",
    ),
  ).join(" ");
  const tagPairs = Object.entries(view.tags)
    .map(([k, v]) => `${k}:${v}`)
    .sort();
  await ctx.db.execute(sql`
    insert into ${searchViews}
      (feature_view_id, project_id, view_name, owner, entity_names, tag_pairs, doc, features, shared, own_pairs)
    select ${featureViewId}::uuid, ${projectId}::uuid, ${view.name}, ${view.owner},
      ${sql.param(entityNames)}::text[], ${sql.param(tagPairs)}::text[], to_tsvector('simple', ${words}),
      count(*)::int, (count(*) filter (where not own_tags))::int,
      coalesce((select array_agg(p) from ${features} o, unnest(o.tag_pairs) p
        where o.feature_view_id = ${featureViewId} and o.own_tags), '{}')
    from ${features} f where f.feature_view_id = ${featureViewId}
    on conflict (feature_view_id) do update set
      view_name = excluded.view_name, owner = excluded.owner, entity_names = excluded.entity_names,
      tag_pairs = excluded.tag_pairs,
      doc = excluded.doc, features = excluded.features, shared = excluded.shared,
      own_pairs = excluded.own_pairs`);
  // The features' words their view lacks, once the view's words are known (features.unshared_vector).
  await ctx.db.execute(sql`
    update ${features} f set unshared_vector = ts_delete(f.own_vector, tsvector_to_array(sv.doc))
    from ${searchViews} sv
    where sv.feature_view_id = ${featureViewId}::uuid and f.feature_view_id = ${featureViewId}::uuid`);
  await ctx.db.execute(sql`
    insert into ${searchWords} (project_id, word)
    select distinct ${projectId}::uuid, unnest(tsvector_to_array(${features.searchVector}))
    from ${features} where ${eq(features.featureViewId, featureViewId)}
    on conflict do nothing`);
}
