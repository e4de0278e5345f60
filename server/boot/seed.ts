import "server-only";
import type { Ctx } from "../core/context";
import { type DemoSeed, seedDemo } from "../demo/seed";
import { type Run, startIncrementalMaterialization } from "../materialization";
import { listProjects } from "../registry";

/** Seeds the demo when the registry has no project at all (a fresh database); returns the seed if it ran. */
export async function seedIfEmpty(ctx: Ctx): Promise<DemoSeed | undefined> {
  const projects = await listProjects({ ctx });
  if (projects.length > 0) return undefined;
  return seedDemo(ctx);
}

/**
 * Queues an incremental materialization of the demo views up to the seed's last hour (a fresh
 * view starts at end - ttl), so the online store answers right away.
 */
export function materializeDemo(ctx: Ctx, seed: DemoSeed): Promise<Run[]> {
  return startIncrementalMaterialization({
    ctx,
    input: { project: seed.project, featureViews: seed.featureViews, endTs: seed.end },
  });
}

export function describeSeed(seed: DemoSeed): string {
  return (
    `seeded project "${seed.project}": ${seed.driverRows} driver rows, ${seed.customerRows} customer rows, ` +
    `views ${seed.featureViews.join(", ")} (${seed.start.toISOString()} .. ${seed.end.toISOString()})`
  );
}
