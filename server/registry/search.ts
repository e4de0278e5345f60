import "server-only";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { Name } from "../core/name";
import { features, featureViews, searchViews, searchWords } from "../db/schema";
import { defineOperation } from "../operations/define";

/** Values each facet lists at most; the answer says how many more there are. */
export const FACET_LIMIT = 10;
/** Query words used at most; the rest are ignored (a query is a few words, not a paragraph). */
const MAX_WORDS = 8;
/** A query word is cut to this many characters (no feature word is longer in practice). */
const MAX_WORD_LENGTH = 40;
/** Lexicon words a misspelt query word is corrected into. */
const CORRECTIONS = 3;
/**
 * Up to this many features in the views that have every query word, their names are read by view;
 * above it, through the names' trigram index (bench/search.ts: "view name words" vs "driver").
 */
const FULL_VIEW_ROWS = 2_000;

export const SearchFeaturesInput = z.object({
  project: Name,
  /**
   * Free text over names, descriptions, tags ("tier:gold", "mobility"), owners and view names;
   * prefix and typo tolerant. Only its words (letters and digits) are used.
   */
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

const FacetValues = z.object({
  /** The most frequent values among the hits (at most FACET_LIMIT), most hits first. */
  values: z.array(z.object({ value: z.string(), count: z.number() })),
  /** How many other values the hits have. */
  more: z.number(),
});
export const SearchResult = z.object({
  total: z.number(),
  items: z.array(
    z.object({
      featureView: z.string(),
      name: z.string(),
      dtype: z.string(),
      description: z.string(),
      tags: z.record(z.string(), z.string()),
      owner: z.string(),
      entities: z.array(z.string()),
      /** The view is deprecated (a state of the view, docs/adr/0002). */
      deprecated: z.boolean(),
      rank: z.number(),
    }),
  ),
  facets: z.object({ tags: FacetValues, owners: FacetValues, entities: FacetValues, views: FacetValues }),
  /** Query words that matched nothing, with the lexicon words searched instead. */
  corrections: z.array(z.object({ word: z.string(), into: z.array(z.string()) })),
});
export type SearchFeaturesResult = z.infer<typeof SearchResult>;

/** The words of a query as the index splits text: lower case, letters and digits. */
export function queryWords(q: string): string[] {
  const words = q
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.slice(0, MAX_WORD_LENGTH));
  return [...new Set(words)].slice(0, MAX_WORDS);
}

export interface WordMatch {
  word: string;
  /** Some lexicon word starts with it. */
  known: boolean;
  /** The nearest lexicon words by trigram similarity, when it is not known. */
  near: string[];
}

/**
 * Looks each query word up in the project's lexicon: a word that is the prefix of an indexed word
 * is kept as a prefix term; one that is not is replaced by its nearest words (typos).
 */
export async function matchWords(ctx: Ctx, projectId: string, words: string[]): Promise<WordMatch[]> {
  if (!words.length) return [];
  const r = await ctx.db.execute<{ word: string; known: boolean; near: string[] | null }>(sql`
    select q.w as word, k.known, case when k.known then null else (
      select array_agg(n.word order by n.sim desc, n.word) from (
        select s.word, similarity(s.word, q.w) as sim from ${searchWords} s
        where s.project_id = ${projectId} and s.word % q.w
        order by sim desc, s.word limit ${CORRECTIONS}) n
    ) end as near
    from unnest(${sql.param(words)}::text[]) with ordinality as q(w, i)
    cross join lateral (
      select exists (select 1 from ${searchWords} s
        where s.project_id = ${projectId} and s.word like q.w || '%') as known) k
    order by q.i`);
  return r.rows.map((row) => ({ word: row.word, known: row.known, near: row.near ?? [] }));
}

/** One word's terms: `conv:*`, or its corrections `'current' | 'currant'`; `weight` restricts them. */
function group(m: WordMatch, weight = ""): string {
  return m.known
    ? `${m.word}:*${weight}`
    : m.near.map((n) => (weight ? `'${n}':${weight}` : `'${n}'`)).join(" | ");
}

/** `(conv:* | 'convert') & (rate:*)`: every word must match, as a prefix or one of its corrections. */
export function tsQuery(matches: WordMatch[]): string | null {
  const groups = matches.map((m) => group(m));
  if (groups.some((g) => !g)) return null;
  return groups.map((g) => `(${g})`).join(" & ");
}

/**
 * Ranked, faceted feature search in one statement (docs/adr/0028-search-at-scale.md). The query's
 * words are first corrected against the project's lexicon; then one GIN lookup on the features'
 * search vector finds the hits, ranked by `score` (exact name > name prefix > name words >
 * view/tag/owner/entity words > description). Facets are counted over the hits per view, then
 * through the view's tags, owner and entities (features with tags of their own count theirs), at
 * most FACET_LIMIT values each with how many more.
 */
export const searchFeaturesOp = defineOperation({
  name: "search.features",
  summary: "Search features by text, tags, owner and entity, with facets.",
  kind: "query",
  access: "definitions.read",
  input: SearchFeaturesInput,
  output: SearchResult,
  run: async ({ ctx, input: args, project: p }) => {
    const words = queryWords(args.q);
    const matches = await matchWords(ctx, p.id, words);
    const corrections = matches.filter((m) => !m.known).map((m) => ({ word: m.word, into: m.near }));
    const empty = { total: 0, items: [], facets: noFacets(), corrections };
    if (args.q.trim() && !words.length) return empty;
    const tsq = tsQuery(matches);
    if (words.length && !tsq) return empty;

    // Words without a tag filter: a view's words are matched once per view (search_views).
    // A tag filter is per feature (own tags may override the view's), so it takes the plain path.
    const statement =
      (tsq && !args.tags.length ? await viewLevelStatement(ctx, p.id, args, words, matches) : null) ??
      searchStatement(p.id, args, words, matches, tsq);
    const r = await ctx.db.execute<{ result: Omit<SearchFeaturesResult, "corrections"> }>(statement);
    const result = r.rows[0]?.result;
    if (!result) throw new Error("search returned no row");
    return { ...result, corrections };
  },
});
export const searchFeatures = searchFeaturesOp.call;

/**
 * The one statement of a search: hits, page, total and bounded facets. Exported for the bench
 * (bench/search.ts), which EXPLAINs it.
 */
export function searchStatement(
  projectId: string,
  args: z.output<typeof SearchFeaturesInput>,
  words: string[],
  matches: WordMatch[],
  tsq: string | null,
): SQL {
  const filters: SQL[] = [sql`f.project_id = ${projectId}`];
  if (args.tags.length) filters.push(sql`f.tag_pairs @> ${sql.param(args.tags)}::text[]`);
  if (args.owner) filters.push(sql`f.owner = ${args.owner}`);
  if (args.entity) filters.push(sql`f.entity_names @> array[${args.entity}]::text[]`);
  if (args.view) filters.push(sql`f.view_name = ${args.view}`);
  if (tsq) filters.push(sql`f.search_vector @@ to_tsquery('simple', ${tsq})`);
  const where = sql.join(filters, sql` and `);

  // Without words there is no rank: the hits are counted per view straight from an index and
  // the page is the first rows in (view, position) order, so the page a user opens on never
  // carries 100,000 rows through a CTE.
  const parts = tsq
    ? sql`
    hits as materialized (
      select f.id, f.feature_view_id, f.view_name, f.position, f.own_tags,
        case when f.own_tags then f.tag_pairs end as own_pairs, ${score(words, matches)} as score
      from ${features} f where ${where}
    ),
    per_view as (
      select feature_view_id, count(*)::int as n, (count(*) filter (where not own_tags))::int as shared
      from hits group by feature_view_id
    ),
    own_pairs as (select unnest(own_pairs) as value from hits where own_tags),
    page as (
      select id, score from hits order by score desc, view_name, position
      limit ${args.limit} offset ${args.offset}
    )`
    : sql`
    per_view as (
      select f.feature_view_id, count(*)::int as n, (count(*) filter (where not f.own_tags))::int as shared
      from ${features} f where ${where} group by f.feature_view_id
    ),
    own_pairs as (select unnest(f.tag_pairs) as value from ${features} f where ${where} and f.own_tags),
    page as (
      select f.id, 0::float8 as score from ${features} f where ${where}
      order by f.view_name, f.position limit ${args.limit} offset ${args.offset}
    )`;

  return resultOf(parts);
}

/**
 * The shared end of both statements: from CTEs `per_view` (feature_view_id, n, shared),
 * `own_pairs` (value) and `page` (id, score), the total, the page's items and bounded facets.
 */
function resultOf(parts: SQL): SQL {
  return sql`
      with ${parts},
      -- The hit views' names, owners, entities and tags, from one scan of search_views.
      pv as materialized (
        select p.n, p.shared, sv.view_name, sv.owner, sv.entity_names, sv.tag_pairs
        from per_view p join ${searchViews} sv on sv.feature_view_id = p.feature_view_id
      ),
      tag_counts as (
        select value, sum(n)::int as count from (
          select shared as n, unnest(tag_pairs) as value from pv where shared > 0
          union all
          select 1, value from own_pairs
        ) x group by value
      ),
      owner_counts as (
        select owner as value, sum(n)::int as count from pv where owner <> '' group by owner
      ),
      entity_counts as (
        select value, sum(n)::int as count from (select n, unnest(entity_names) as value from pv) x
        group by value
      ),
      view_counts as (select view_name as value, n as count from pv)
      select json_build_object(
        'total', (select coalesce(sum(n), 0) from per_view),
        'items', (
          select coalesce(json_agg(json_build_object(
            'featureView', f.view_name, 'name', f.name, 'dtype', f.dtype, 'description', f.description,
            'tags', f.tags, 'owner', f.owner, 'entities', f.entity_names,
            'deprecated', v.deprecated_at is not null, 'rank', pg.score
          ) order by pg.score desc, f.view_name, f.position), '[]'::json)
          from page pg join ${features} f on f.id = pg.id join ${featureViews} v on v.id = f.feature_view_id
        ),
        'facets', json_build_object(
          'tags', ${topValues(sql`tag_counts`)},
          'owners', ${topValues(sql`owner_counts`)},
          'entities', ${topValues(sql`entity_counts`)},
          'views', ${topValues(sql`view_counts`)}
        )
      ) as result`;
}

/**
 * The statement when every word may match a view's words (no tag filter): views are matched
 * once each; a view that matches every word contributes all its features as hits, counted from
 * search_views without reading them; features are read only where their own words (name, own
 * tags, description: own_vector) are needed. The rank is `score`'s, from the same facts: a
 * feature none of whose own words match ranks 1 (every word is its view's).
 */
async function viewLevelStatement(
  ctx: Ctx,
  projectId: string,
  args: z.output<typeof SearchFeaturesInput>,
  words: string[],
  matches: WordMatch[],
): Promise<SQL | null> {
  const viewFilters: SQL[] = [sql`sv.project_id = ${projectId}`];
  if (args.owner) viewFilters.push(sql`sv.owner = ${args.owner}`);
  if (args.entity) viewFilters.push(sql`sv.entity_names @> array[${args.entity}]::text[]`);
  if (args.view) viewFilters.push(sql`sv.view_name = ${args.view}`);
  const viewWhere = sql.join(viewFilters, sql` and `);
  const inView = matches.map((m) => sql`sv.doc @@ to_tsquery('simple', ${group(m)})`);

  // Which words each view has, grouped: views that have some words but not all need the others
  // of their features' own words; a feature with all the words of its own is a hit anywhere;
  // in views that have every word, only features whose name has a word rank above the rest.
  const masks = await ctx.db.execute<{ mask: boolean[]; ids: string[]; features: number }>(sql`
    select mask, array_agg(feature_view_id) as ids, sum(features)::int as features from (
      select feature_view_id, features, array[${sql.join(inView, sql`, `)}]::bool[] as mask
      from ${searchViews} sv where ${viewWhere}
    ) x group by mask`);
  const partial = masks.rows.filter((r) => r.mask.some(Boolean) && !r.mask.every(Boolean));
  const anyFull = masks.rows.some((r) => r.mask.every(Boolean));
  // Names are found through their trigram index, which needs words of 3 characters or more; and
  // many partial groups would be many lookups: then the per-feature statement is the cheaper one.
  if (partial.length > 8 || (anyFull && words.some((w) => w.length < 3))) return null;
  // No view has any of the words: every hit has them all of its own, the per-feature lookup.
  if (!partial.length && !anyFull) return null;
  const candidateColumns = sql`f.id, f.feature_view_id, f.view_name, f.position, f.own_tags,
    f.tag_pairs, f.name, f.own_vector`;

  const and = (ms: WordMatch[]) => ms.map((mt) => `(${group(mt)})`).join(" & ");
  // A word a view lacks can match its features only through their unshared words (the words
  // their view lacks). Views with none of the words: features with all of them unshared, in any
  // view (the join to `views` keeps the filtered ones). Views with some: by view, the others.
  const none = masks.rows.some((r) => !r.mask.some(Boolean));
  const sources: SQL[] = [
    ...(none
      ? [
          sql`select ${candidateColumns} from ${features} f
        where f.project_id = ${projectId} and f.unshared_vector @@ to_tsquery('simple', ${and(matches)})`,
        ]
      : []),
    ...partial.map(
      (r) => sql`select ${candidateColumns} from ${features} f
        where f.project_id = ${projectId} and f.feature_view_id = any(${sql.param(r.ids)}::uuid[])
          and f.unshared_vector @@ to_tsquery('simple', ${and(matches.filter((_, i) => !r.mask[i]))})`,
    ),
  ];
  if (anyFull) {
    // Only the full views' features need their names read (in other views, a word the view lacks
    // is found among its features' unshared words, names included).
    // Few of them: read those views' rows by the view index. Many (a word every view of an
    // entity has): the names' trigram index finds fewer rows; names it finds outside the full views
    // are tested like any candidate. The pattern then keeps word starts.
    const full = masks.rows.filter((r) => r.mask.every(Boolean));
    const fullFeatures = full.reduce((n, r) => n + r.features, 0);
    const inFull =
      fullFeatures <= FULL_VIEW_ROWS
        ? sql` and f.feature_view_id = any(${sql.param(full.flatMap((r) => r.ids))}::uuid[])`
        : sql``;
    const alternatives = matches.flatMap((mt) => (mt.known ? [mt.word] : mt.near));
    const pattern = `(^|_)(${matches.flatMap((mt) => (mt.known ? [mt.word] : mt.near.map((n) => `${n}(_|$)`))).join("|")})`;
    sources.push(sql`select ${candidateColumns} from ${features} f
        where f.project_id = ${projectId}${inFull}
          and (${sql.join(
            alternatives.map((w) => sql`f.name like ${`%${w}%`}`),
            sql` or `,
          )})
          and f.name ~ ${pattern}`);
  }

  const m = (i: number) => sql.raw(`v.m${i}`);
  const own = (g: string) => sql`f.own_vector @@ to_tsquery('simple', ${g})`;
  const hit = sql.join(
    matches.map((mt, i) => sql`(${m(i)} or ${own(group(mt))})`),
    sql` and `,
  );
  const score = tiers(
    words,
    matches,
    matches.map(
      (mt, i) =>
        sql`case when ${own(group(mt, "A"))} then 2 when ${m(i)} or ${own(group(mt, "B"))} then 1 else 0 end`,
    ),
  );
  const upTo = args.offset + args.limit;

  return resultOf(sql`
      views as materialized (
        select sv.feature_view_id, sv.view_name, sv.features, sv.shared, sv.own_pairs,
          ${sql.join(
            inView.map((x, i) => sql`${x} as ${sql.raw(`m${i}`)}`),
            sql`, `,
          )}
        from ${searchViews} sv where ${viewWhere}
      ),
      full_views as (
        select * from views v where ${sql.join(
          matches.map((_, i) => m(i)),
          sql` and `,
        )}
      ),
      cand as materialized (
        select f.id, f.feature_view_id, f.view_name, f.position, f.own_tags,
          case when f.own_tags then f.tag_pairs end as own_pairs,
          (${sql.join(
            matches.map((_, i) => m(i)),
            sql` and `,
          )}) as in_full,
          ${hit} as hit, ${score} as score
        from (select distinct on (s.id) s.* from (${sql.join(sources, sql` union all `)}) s) f
        join views v on v.feature_view_id = f.feature_view_id
      ),
      hits as (select * from cand where hit),
      per_view as (
        select feature_view_id, features as n, shared from full_views
        union all
        select feature_view_id, count(*)::int, (count(*) filter (where not own_tags))::int
        from hits where not in_full group by feature_view_id
      ),
      own_pairs as (
        select unnest(own_pairs) as value from full_views
        union all
        select unnest(own_pairs) from hits where not in_full and own_tags
      ),
      first_views as (
        select feature_view_id from (
          select feature_view_id, sum(features) over (order by view_name) - features as before
          from full_views
        ) x where before < ${upTo}
      ),
      page as (
        select id, score from (
          (select id, score, view_name, position from hits
            order by score desc, view_name, position limit ${upTo})
          union all
          (select f.id, 1::float8, f.view_name, f.position
            from first_views fv cross join lateral (
              select f.id, f.view_name, f.position from ${features} f
              where f.project_id = ${projectId} and f.feature_view_id = fv.feature_view_id
              order by f.position limit ${upTo}
            ) f
            where not exists (select 1 from cand c where c.id = f.id))
        ) u order by score desc, view_name, position limit ${args.limit} offset ${args.offset}
      )`);
}

/**
 * A hit's rank, in tiers (docs/adr/0028-search-at-scale.md): the name is the query (+8), the
 * name starts with it (+4), then per query word (averaged): a word of the name starts with it, or
 * is one of its corrections (2), else a view, tag, owner or entity word does (1), else it matched
 * the description only (0). Among name prefixes the shorter name first (closer to the query); other
 * ties in (view, position) order. Plain LIKE tests on the name and
 * the space-framed keywords, no ts_rank: the rank is computed for every hit.
 */
function score(words: string[], matches: WordMatch[]): SQL {
  const perWord = matches.map((m) => {
    const inName = m.known
      ? sql`('_' || f.name) like ${`%\\_${m.word}%`}`
      : sql.join(
          m.near.map((n) => sql`('_' || f.name || '_') like ${`%\\_${n}\\_%`}`),
          sql` or `,
        );
    const inKeywords = m.known
      ? sql`f.keywords like ${`% ${m.word}%`}`
      : sql.join(
          m.near.map((n) => sql`f.keywords like ${`% ${n} %`}`),
          sql` or `,
        );
    return sql`case when ${inName} then 2 when ${inKeywords} then 1 else 0 end`;
  });
  return tiers(words, matches, perWord);
}

/** The exact-name and name-prefix tiers over the per-word tiers' average (see `score`). */
function tiers(words: string[], matches: WordMatch[], perWord: SQL[]): SQL {
  const typed = words.join("_");
  const corrected = matches.map((m) => (m.known ? m.word : (m.near[0] ?? m.word))).join("_");
  return sql`(case when f.name in (${typed}, ${corrected}) then 8 else 0 end
    + case when starts_with(f.name, ${typed}) or starts_with(f.name, ${corrected})
        then 4 - length(f.name) / 1000.0 else 0 end
    + (${sql.join(perWord, sql` + `)})::float8 / ${matches.length})::float8`;
}

/** `{values: [top FACET_LIMIT by count], more: how many others}` of a (value, count) relation. */
function topValues(counts: SQL): SQL {
  return sql`(select json_build_object(
      'values', coalesce(json_agg(json_build_object('value', value, 'count', count) order by count desc, value)
        filter (where rn <= ${FACET_LIMIT}), '[]'::json),
      'more', greatest(count(*) - ${FACET_LIMIT}, 0))
    from (select value, count, row_number() over (order by count desc, value) as rn from ${counts}) c)`;
}

function noFacets(): SearchFeaturesResult["facets"] {
  const none = { values: [], more: 0 };
  return { tags: none, owners: none, entities: none, views: none };
}
