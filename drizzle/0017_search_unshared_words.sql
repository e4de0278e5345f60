DROP INDEX "features_own_vector_idx";--> statement-breakpoint
ALTER TABLE "features" ADD COLUMN "unshared_vector" "tsvector" DEFAULT ''::tsvector NOT NULL;--> statement-breakpoint
ALTER TABLE "search_views" ADD COLUMN "tag_pairs" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
-- Hand-written backfills, before the index: what indexViewForSearch (server/registry/search-index.ts)
-- writes for new rows: a view's own tags as pairs, and each feature's own words less its view's.
UPDATE "search_views" sv SET "tag_pairs" = coalesce(
	(SELECT array_agg(t.key || ':' || t.value ORDER BY t.key) FROM "feature_views" v, jsonb_each_text(v."tags") t WHERE v."id" = sv."feature_view_id"),
	'{}');--> statement-breakpoint
UPDATE "features" f SET "unshared_vector" = ts_delete(f."own_vector", tsvector_to_array(sv."doc"))
	FROM "search_views" sv WHERE sv."feature_view_id" = f."feature_view_id";--> statement-breakpoint
CREATE INDEX "features_unshared_vector_idx" ON "features" USING gin ("unshared_vector");
