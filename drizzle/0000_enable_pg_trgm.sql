-- Custom: trigram matching for typo-tolerant feature search (features_name_trgm_idx needs it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
