-- Stamps the spec format into every feature view spec stored before formats had a number (format 0;
-- docs/adr/0019-schema-as-single-source.md). Format 1 has format 0's shape, so the stamp is the whole
-- upgrade; readSpec (server/registry/feature-views/spec-store.ts) upgrades an unstamped spec on read
-- all the same, and every write stamps the current format.
UPDATE "feature_view_versions"
SET "spec" = jsonb_build_object('specVersion', 1) || "spec"
WHERE jsonb_typeof("spec") = 'object' AND NOT ("spec" ? 'specVersion');
