CREATE TABLE "search_words" (
	"project_id" uuid NOT NULL,
	"word" text NOT NULL,
	CONSTRAINT "search_words_project_id_word_pk" PRIMARY KEY("project_id","word")
);
--> statement-breakpoint
DROP INDEX "features_project_idx";--> statement-breakpoint
-- Hand-ordered: keywords must exist before the generated search_vector that reads it.
ALTER TABLE "features" ADD COLUMN "own_tags" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "keywords" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Hand-written backfill of existing rows, the same values writeDerivedRows
-- (server/registry/feature-views/refs.ts) writes for new ones.
UPDATE "features" f SET
	"keywords" = ' ' || trim(regexp_replace(lower(concat_ws(' ', f."view_name", f."owner", array_to_string(f."tag_pairs", ' '), array_to_string(f."entity_names", ' '))), '[^a-z0-9]+', ' ', 'g')) || ' ',
	"own_tags" = f."tags" <> v."tags"
	FROM "feature_views" v WHERE v."id" = f."feature_view_id";--> statement-breakpoint
ALTER TABLE "features" drop column "search_vector";--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')), 'A') || setweight(to_tsvector('simple', regexp_replace(lower(keywords), '[^a-z0-9]+', ' ', 'g')), 'B') || setweight(to_tsvector('simple', regexp_replace(lower(description), '[^a-z0-9]+', ' ', 'g')), 'D')) STORED;--> statement-breakpoint
-- Hand-written: dropping the column dropped its GIN index; drizzle-kit does not re-create it.
CREATE INDEX "features_search_vector_idx" ON "features" USING gin ("search_vector");--> statement-breakpoint
ALTER TABLE "search_words" ADD CONSTRAINT "search_words_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "search_words_word_trgm_idx" ON "search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "features_project_view_position_idx" ON "features" USING btree ("project_id","view_name","position");--> statement-breakpoint
CREATE INDEX "features_project_view_id_idx" ON "features" USING btree ("project_id","feature_view_id","own_tags");--> statement-breakpoint
CREATE INDEX "features_own_tag_pairs_idx" ON "features" USING btree ("project_id","tag_pairs") WHERE "features"."own_tags";--> statement-breakpoint
-- Hand-written backfill: the lexicon of existing features (writeDerivedRows keeps it for new ones).
INSERT INTO "search_words" ("project_id", "word")
	SELECT DISTINCT "project_id", unnest(tsvector_to_array("search_vector")) FROM "features"
	ON CONFLICT DO NOTHING;
