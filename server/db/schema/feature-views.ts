import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { VALUE_TYPES } from "../../core/vocabulary";
import { oneOf, registryColumns } from "./common";
import { dataSources } from "./data-sources";
import { entities } from "./entities";
import { projects } from "./projects";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The head of a feature view: its name, current version and the columns lists and joins need,
 * copied from the current version's spec. The specs themselves live in feature_view_versions.
 */
export const featureViews = pgTable(
  "feature_views",
  {
    ...registryColumns(),
    currentVersion: integer("current_version").notNull(),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => dataSources.id),
    ttlSeconds: integer("ttl_seconds").notNull().default(0),
    online: boolean("online").notNull().default(true),
    freshnessSlaSeconds: integer("freshness_sla_seconds"),
    /** Materialization watermark: the end of the last successful run; moves only after success. */
    materializedUntil: timestamp("materialized_until", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("feature_views_project_name_idx").on(t.projectId, t.name),
    index("feature_views_source_idx").on(t.sourceId),
  ],
);

/** Immutable history: one row per version, never updated. */
export const featureViewVersions = pgTable(
  "feature_view_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /**
     * The version's spec as written, stamped with the format it was written in (`specVersion`).
     * Typed unknown on purpose: every read goes through readSpec (server/registry/feature-views/spec-store.ts),
     * which upgrades older formats and parses it.
     */
    spec: jsonb("spec").$type<unknown>().notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("feature_view_versions_view_version_idx").on(t.featureViewId, t.version)],
);

/** Which entities the current version of a view is keyed by (keeps references honest). */
export const featureViewEntities = pgTable(
  "feature_view_entities",
  {
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    entityId: uuid("entity_id")
      .notNull()
      .references(() => entities.id),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.featureViewId, t.entityId] }),
    index("feature_view_entities_entity_idx").on(t.entityId),
  ],
);

/**
 * The features of each view's current version, one row each: the catalog that search reads.
 * Rewritten whenever a view gets a new version (docs/adr/0028-search-at-scale.md).
 */
export const features = pgTable(
  "features",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    viewName: text("view_name").notNull(),
    name: text("name").notNull(),
    dtype: text("dtype", { enum: VALUE_TYPES }).notNull(),
    description: text("description").notNull().default(""),
    /** The feature's own tags merged over its view's. */
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    /** "key:value" of every tag, for containment filters and facet counts. */
    tagPairs: text("tag_pairs").array().notNull().default(sql`'{}'::text[]`),
    /** True when the feature has tags of its own (its tag_pairs differ from its view's tags). */
    ownTags: boolean("own_tags").notNull().default(false),
    owner: text("owner").notNull().default(""),
    entityNames: text("entity_names").array().notNull().default(sql`'{}'::text[]`),
    /** The words ranked second: view name, owner, tag keys and values, entity names (written with the row). */
    keywords: text("keywords").notNull().default(""),
    /** The words of the feature's own tags (written with the row); own_vector's weight B. */
    ownKeywords: text("own_keywords").notNull().default(""),
    position: integer("position").notNull(),
    /**
     * Every searchable word, lower-cased and split on anything but a-z0-9, 'simple' dictionary:
     * name A, keywords B, description D. Its lexemes are the project's lexicon (search_words).
     */
    searchVector: tsvector("search_vector").generatedAlwaysAs(
      sql`setweight(to_tsvector('simple', regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(lower(keywords), '[^a-z0-9]+', ' ', 'g')), 'B') || setweight(to_tsvector('simple', regexp_replace(lower(description), '[^a-z0-9]+', ' ', 'g')), 'D')`,
    ),
    /**
     * The feature's own words, without its view's: name A, own tags B, description D. Search finds
     * a view's words once per view (search_views) and only the features' own words here.
     */
    ownVector: tsvector("own_vector").generatedAlwaysAs(
      sql`setweight(to_tsvector('simple', regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(lower(own_keywords), '[^a-z0-9]+', ' ', 'g')), 'B') || setweight(to_tsvector('simple', regexp_replace(lower(description), '[^a-z0-9]+', ' ', 'g')), 'D')`,
    ),
    /**
     * own_vector less every word its view has (search_views.doc), written by indexViewForSearch.
     * A feature outside the views that have a query word can match it only through these words, so
     * one GIN lookup here finds exactly those features, and Postgres estimates it as the few rows
     * it is (own_vector's would count the view's own features too, and tempt a sequential scan).
     */
    unsharedVector: tsvector("unshared_vector").notNull().default(sql`''::tsvector`),
  },
  (t) => [
    uniqueIndex("features_view_name_idx").on(t.featureViewId, t.name),
    // Serves search by the features' words their view lacks (docs/adr/0028-search-at-scale.md).
    index("features_unshared_vector_idx").using("gin", t.unsharedVector),
    // Serves free-text search: one GIN lookup for every field (ranked with ts_rank).
    index("features_search_vector_idx").using("gin", t.searchVector),
    // Serves the command palette's name lookups (prefix LIKE and similarity).
    index("features_name_trgm_idx").using("gin", sql`${t.name} gin_trgm_ops`),
    // Serves tag and entity filters (array containment).
    index("features_tag_pairs_idx").using("gin", t.tagPairs),
    index("features_entity_names_idx").using("gin", t.entityNames),
    // Serves the unfiltered listing's order (a project's features by view, then position).
    index("features_project_view_position_idx").on(t.projectId, t.viewName, t.position),
    // Serves facet counts without words (hits per view, index-only: see search.ts).
    index("features_project_view_id_idx").on(t.projectId, t.featureViewId, t.ownTags),
    // Serves the tag facet of features with tags of their own, index-only (the others count
    // through their view's tags).
    index("features_own_tag_pairs_idx").on(t.projectId, t.tagPairs).where(sql`${t.ownTags}`),
    check("features_dtype_check", oneOf(t.dtype, VALUE_TYPES)),
  ],
);

/**
 * One row per feature view for search: the view's own words (name, owner, view tags, entity
 * names) and its feature counts, so a query word that matches a view is matched once for all its
 * features, which are then counted without being read. Written with the view's feature rows.
 */
export const searchViews = pgTable(
  "search_views",
  {
    featureViewId: uuid("feature_view_id")
      .primaryKey()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    viewName: text("view_name").notNull(),
    owner: text("owner").notNull().default(""),
    entityNames: text("entity_names").array().notNull().default(sql`'{}'::text[]`),
    /** The view's words, 'simple' dictionary, split as features.search_vector splits them. */
    doc: tsvector("doc").notNull(),
    /** Its features, and those without tags of their own (they count through the view's tags). */
    features: integer("features").notNull(),
    shared: integer("shared").notNull(),
    /** Every "key:value" of its features with tags of their own, once per feature. */
    ownPairs: text("own_pairs").array().notNull().default(sql`'{}'::text[]`),
    /** The view's own tags as "key:value" (facets count them per view, without the view row). */
    tagPairs: text("tag_pairs").array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [index("search_views_project_idx").on(t.projectId, t.viewName)],
);

/**
 * The lexicon of a project: every distinct word of its features' search vectors. Search corrects
 * a query word that matches nothing into the nearest words here (trigram similarity), then looks
 * the features up by those words. Written in the view's transaction; a word whose features are
 * gone stays (it then finds nothing, see docs/adr/0028-search-at-scale.md).
 */
export const searchWords = pgTable(
  "search_words",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    word: text("word").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.word] }),
    // Serves typo correction (word % $1) and prefix checks (word LIKE $1 || '%').
    index("search_words_word_trgm_idx").using("gin", sql`${t.word} gin_trgm_ops`),
  ],
);
