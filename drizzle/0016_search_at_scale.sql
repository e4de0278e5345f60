CREATE TABLE "search_views" (
	"feature_view_id" uuid PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"view_name" text NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"entity_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"doc" "tsvector" NOT NULL,
	"features" integer NOT NULL,
	"shared" integer NOT NULL,
	"own_pairs" text[] DEFAULT '{}'::text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_words" (
	"project_id" uuid NOT NULL,
	"word" text NOT NULL,
	CONSTRAINT "search_words_project_id_word_pk" PRIMARY KEY("project_id","word")
);
--> statement-breakpoint
DROP INDEX "features_project_idx";--> statement-breakpoint
-- Hand-ordered: the columns the generated vectors read come first.
ALTER TABLE "features" ADD COLUMN "own_tags" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "keywords" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "own_keywords" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written backfill of existing rows: what writeDerivedRows (server/registry/feature-views/refs.ts,
-- searchColumns) writes for new ones. Own tags are the feature's pairs its view does not carry.
UPDATE "features" f SET
	"keywords" = ' ' || trim(regexp_replace(lower(concat_ws(' ', f."view_name", f."owner", array_to_string(f."tag_pairs", ' '), array_to_string(f."entity_names", ' '))), '[^a-z0-9]+', ' ', 'g')) || ' ',
	"own_tags" = f."tags" <> v."tags",
	"own_keywords" = coalesce((SELECT string_agg(t.key || ' ' || t.value, ' ') FROM jsonb_each_text(f."tags") t WHERE NOT v."tags" @> jsonb_build_object(t.key, t.value)), '')
	FROM "feature_views" v WHERE v."id" = f."feature_view_id";--> statement-breakpoint
ALTER TABLE "features" drop column "search_vector";--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(lower(keywords), '[^a-z0-9]+', ' ', 'g')), 'B') || setweight(to_tsvector('simple', regexp_replace(lower(description), '[^a-z0-9]+', ' ', 'g')), 'D')) STORED;--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "own_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(lower(own_keywords), '[^a-z0-9]+', ' ', 'g')), 'B') || setweight(to_tsvector('simple', regexp_replace(lower(description), '[^a-z0-9]+', ' ', 'g')), 'D')) STORED;--> statement-breakpoint
-- Hand-written: dropping the column dropped its GIN index; drizzle-kit does not re-create it.
CREATE INDEX "features_search_vector_idx" ON "features" USING gin ("search_vector");--> statement-breakpoint
ALTER TABLE "search_views" ADD CONSTRAINT "search_views_feature_view_id_feature_views_id_fk" FOREIGN KEY ("feature_view_id") REFERENCES "public"."feature_views"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_views" ADD CONSTRAINT "search_views_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_words" ADD CONSTRAINT "search_words_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "search_views_project_idx" ON "search_views" USING btree ("project_id","view_name");--> statement-breakpoint
CREATE INDEX "search_words_word_trgm_idx" ON "search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "features_own_vector_idx" ON "features" USING gin ("own_vector");--> statement-breakpoint
CREATE INDEX "features_project_view_position_idx" ON "features" USING btree ("project_id","view_name","position");--> statement-breakpoint
CREATE INDEX "features_project_view_id_idx" ON "features" USING btree ("project_id","feature_view_id","own_tags");--> statement-breakpoint
CREATE INDEX "features_own_tag_pairs_idx" ON "features" USING btree ("project_id","tag_pairs") WHERE "features"."own_tags";--> statement-breakpoint
-- Hand-written backfill: search_views and the lexicon of existing views (indexViewForSearch in
-- server/registry/search-index.ts keeps them for new writes).
INSERT INTO "search_views" ("feature_view_id", "project_id", "view_name", "owner", "entity_names", "doc", "features", "shared", "own_pairs")
	SELECT v."id", v."project_id", v."name", v."owner",
		coalesce((SELECT array_agg(e."name" ORDER BY fe."position") FROM "feature_view_entities" fe JOIN "entities" e ON e."id" = fe."entity_id" WHERE fe."feature_view_id" = v."id"), '{}'),
		to_tsvector('simple', trim(regexp_replace(lower(concat_ws(' ', v."name", v."owner",
			(SELECT string_agg(t.key || ' ' || t.value, ' ') FROM jsonb_each_text(v."tags") t),
			(SELECT string_agg(e."name", ' ') FROM "feature_view_entities" fe JOIN "entities" e ON e."id" = fe."entity_id" WHERE fe."feature_view_id" = v."id"))), '[^a-z0-9]+', ' ', 'g'))),
		(SELECT count(*) FROM "features" f WHERE f."feature_view_id" = v."id"),
		(SELECT count(*) FROM "features" f WHERE f."feature_view_id" = v."id" AND NOT f."own_tags"),
		coalesce((SELECT array_agg(p) FROM "features" f, unnest(f."tag_pairs") p WHERE f."feature_view_id" = v."id" AND f."own_tags"), '{}')
	FROM "feature_views" v;--> statement-breakpoint
INSERT INTO "search_words" ("project_id", "word")
	SELECT DISTINCT "project_id", unnest(tsvector_to_array("search_vector")) FROM "features"
	ON CONFLICT DO NOTHING;
