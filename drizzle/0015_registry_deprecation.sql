ALTER TABLE "consumers" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "consumers" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "consumers" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "data_sources" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "data_sources" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "data_sources" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "entities" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "entities" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "entities" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "feature_services" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "feature_services" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "feature_services" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "feature_views" ADD COLUMN "deprecated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "feature_views" ADD COLUMN "deprecation_note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "feature_views" ADD COLUMN "replaced_by" text;