import "server-only";
import { and, asc, eq, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client";
import { featureViews, featureViewVersions } from "../../db/schema";
import { FeatureViewSpec } from "../schemas";

/**
 * How feature view specs are stored in `feature_view_versions.spec` and read back
 * (docs/adr/0019-schema-as-single-source.md). A stored spec carries the number of the format it
 * was written in, `specVersion`; writes always use SPEC_VERSION, and every read goes through
 * readSpec, which upgrades an older format step by step and parses the result with the same zod
 * schema that checks input.
 */
export const SPEC_VERSION = 1;

type Json = Record<string, unknown>;

/**
 * One step per older format, from format n to n + 1 (without the stamp; readSpec moves it).
 * Format 0: specs stored before formats had a number (no `specVersion`). Format 1 has the same
 * shape; keys added to the spec since (offline, freshnessSlaSeconds) take their zod defaults.
 */
const UPGRADES: Record<number, (spec: Json) => Json> = {
  0: (spec) => spec,
};

/** A stored spec that cannot be read: a broken registry row, so an internal error (500), never INVALID. */
export class StoredSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoredSpecError";
  }
}

/** The JSON to store for a spec: stamped with the current format. */
export function storedSpec(spec: FeatureViewSpec): Json & { specVersion: number } {
  return { specVersion: SPEC_VERSION, ...spec };
}

/**
 * Reads a stored spec of any format this code knows into the current shape. `at` names the row
 * for the error message, which says which view and version is broken and where in the spec, but
 * never quotes the stored values.
 */
export function readSpec(json: unknown, at: { view: string; version: number }): FeatureViewSpec {
  const where = `feature view "${at.view}" version ${at.version}`;
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new StoredSpecError(`${where}: the stored spec is not a JSON object`);
  const { specVersion = 0, ...body } = json as Json;
  if (typeof specVersion !== "number" || !Number.isInteger(specVersion) || specVersion < 0)
    throw new StoredSpecError(`${where}: the stored spec has no valid specVersion`);
  if (specVersion > SPEC_VERSION)
    throw new StoredSpecError(
      `${where}: the stored spec has format ${specVersion}, newer than this Quiver reads (${SPEC_VERSION})`,
    );
  let spec = body;
  for (let v = specVersion; v < SPEC_VERSION; v++) {
    const step = UPGRADES[v];
    if (!step) throw new StoredSpecError(`${where}: no upgrade from spec format ${v}`);
    spec = step(spec);
  }
  const parsed = FeatureViewSpec.safeParse(spec);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"} (${i.code})`)
      .join(", ");
    throw new StoredSpecError(`${where}: the stored spec (format ${specVersion}) does not parse: ${issues}`);
  }
  return parsed.data;
}

/** A feature view's head with its current version's spec. */
export interface CurrentSpec {
  id: string;
  name: string;
  version: number;
  spec: FeatureViewSpec;
}

/**
 * The project's feature views (all, or those `filter` on feature_views selects) joined to their
 * current version, with the spec read; ordered by name. The one place this join is written.
 */
export async function currentSpecs(db: Db, projectId: string, filter?: SQL): Promise<CurrentSpec[]> {
  const rows = await db
    .select({
      id: featureViews.id,
      name: featureViews.name,
      version: featureViews.currentVersion,
      spec: featureViewVersions.spec,
    })
    .from(featureViews)
    .innerJoin(
      featureViewVersions,
      and(
        eq(featureViewVersions.featureViewId, featureViews.id),
        eq(featureViewVersions.version, featureViews.currentVersion),
      ),
    )
    .where(and(eq(featureViews.projectId, projectId), filter))
    .orderBy(asc(featureViews.name));
  return rows.map((r) => ({ ...r, spec: readSpec(r.spec, { view: r.name, version: r.version }) }));
}
