-- Every serving process keeps the registry, the resolved views and services and the API keys in
-- memory (docs/adr/0023-serving-at-redis-speed.md). A write to a table they are read from notifies
-- channel `quiver_registry` with the table's name when its transaction commits, whoever wrote it
-- (a service, the CLI, a migration, psql); each process drops what it holds of that table. One
-- notification per statement: NOTIFY folds equal payloads of one transaction into one.
CREATE FUNCTION "quiver_registry_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('quiver_registry', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "projects" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "project_members" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "entities" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "data_sources" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "feature_views" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "feature_view_versions" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "feature_services" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "feature_service_projections" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
-- API keys: creation, deletion and the columns that decide what a key may do. last_used_at, written
-- in the background, must not empty every process's key cache.
CREATE TRIGGER "registry_changed" AFTER INSERT OR DELETE OR TRUNCATE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
--> statement-breakpoint
CREATE TRIGGER "registry_changed_update" AFTER UPDATE OF "project_id", "role", "key_hash", "expires_at", "revoked_at" ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "quiver_registry_changed"();
