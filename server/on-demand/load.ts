import "server-only";
import type { Db } from "../db/client";
import { currentOnDemandSpecs } from "./registry";
import type { ServingOnDemandView } from "./serving-view";

/** The on-demand views with these names, by name (absent names are absent): one query. */
export async function loadOnDemandViews(
  db: Db,
  projectId: string,
  names: string[],
): Promise<Map<string, ServingOnDemandView>> {
  const rows = await currentOnDemandSpecs(db, projectId, names);
  return new Map(rows.map((r) => [r.name, { id: r.id, name: r.name, version: r.version, spec: r.spec }]));
}
