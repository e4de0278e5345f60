import "server-only";
import type { Redis } from "ioredis";
import { groupName } from "./consumer";
import { createRedisStreamAdapter } from "./redis-adapter";
import { readStreamState, type StreamViewState } from "./tiles";

/**
 * A stream view's freshness figures (the freshness page shows them in a later session): its
 * consumer group's lag (entries not yet delivered; null when Redis cannot tell) and pending
 * entries (delivered, not acknowledged), from XINFO GROUPS, with the view's watermark and counters
 * (applied, duplicates, late) from its state hash.
 */
export interface StreamViewLag extends StreamViewState {
  lag: number | null;
  pending: number;
  /** now − watermark in ms (null before the first event). */
  behindMs: number | null;
}

export async function streamViewLag(
  client: Redis,
  prefix: string,
  view: { project: string; name: string; streamKey: string },
  now: Date = new Date(),
): Promise<StreamViewLag> {
  // XINFO on the caller's connection: the adapter is only borrowed, never closed here
  const adapter = createRedisStreamAdapter({
    key: view.streamKey,
    group: groupName(view.project, view.name),
    consumer: "lag-probe",
    client,
  });
  const [group, state] = await Promise.all([
    adapter.lag().catch((e: unknown) => {
      // no stream yet: nothing to be behind on
      if (e instanceof Error && e.message.includes("no such key")) return { lag: 0, pending: 0 };
      throw e;
    }),
    readStreamState(client, prefix, view.project, view.name),
  ]);
  return {
    ...group,
    ...state,
    behindMs: state.watermarkMs === null ? null : now.getTime() - state.watermarkMs,
  };
}
