import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { features, searchWords } from "../db/schema";

/**
 * What search indexes for a feature beyond its own columns (docs/adr/0025-search-at-scale.md):
 * the words ranked second (view name, owner, tag keys and values, entity names) and whether the
 * feature carries tags of its own (facets count the others through their view's tags).
 */
export function searchColumns(f: {
  viewName: string;
  owner: string;
  tagPairs: string[];
  entityNames: string[];
  ownTags: Record<string, string> | undefined;
}): { keywords: string; ownTags: boolean } {
  return {
    keywords: ` ${indexWords([f.viewName, f.owner, ...f.tagPairs, ...f.entityNames].join(" ")).join(" ")} `,
    ownTags: Object.keys(f.ownTags ?? {}).length > 0,
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
 * Adds the words of a view's feature rows to its project's lexicon, in the caller's transaction,
 * so typo correction never lags the registry. The words are the rows' own lexemes (the generated
 * search_vector), so the lexicon and the index cannot disagree on how text is split.
 */
export async function addToLexicon(ctx: Ctx, projectId: string, featureViewId: string): Promise<void> {
  await ctx.db.execute(sql`
    insert into ${searchWords} (project_id, word)
    select distinct ${projectId}::uuid, unnest(tsvector_to_array(${features.searchVector}))
    from ${features} where ${eq(features.featureViewId, featureViewId)}
    on conflict do nothing`);
}
