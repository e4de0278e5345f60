import { Redis } from "ioredis";
import { DEMO_STREAM_VIEWS } from "../../../server/demo/definitions";
import { env } from "../../../server/env";
import { produceDemoEvents } from "../../../server/streams/demo-generator";
import { getStreamView } from "../../../server/streams/registry";
import { parseCommandArgs, parsePositiveInt, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

export const DEMO_STREAM_USAGE = `  demo-stream [view] [--rate 20] [--duration 60] [--entities 10] [--project p]
                                   send demo events to a stream view's Redis Stream (rate per
                                   second, for duration seconds; default: the demo's
                                   driver_trips_live); needs REDIS_URL`;

/** The demo project's stream view: what `quiver demo-stream` feeds without a view named. */
const DEMO_VIEW = DEMO_STREAM_VIEWS[0]?.name ?? "driver_trips_live";

/** `quiver demo-stream <view>`: a small generator feeding a stream view (docs/adr/0037). */
export async function demoStreamCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["project", "rate", "duration", "entities"],
    positionals: [0, 1],
    names: "[view]",
  });
  const redisUrl = env().REDIS_URL;
  if (!redisUrl) throw new UsageError("demo-stream needs REDIS_URL");
  const rate = parsePositiveInt(values.rate, "--rate") ?? 20;
  const durationSeconds = parsePositiveInt(values.duration, "--duration") ?? 60;
  const entities = parsePositiveInt(values.entities, "--entities") ?? 10;
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  return withSession(async (s) => {
    const view = await getStreamView({ ctx: s.ctx, input: { project, name: positionals[0] ?? DEMO_VIEW } });
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      log(
        `sending ${rate} events/s for ${durationSeconds} s to ${view.spec.stream.key} (${entities} entities)`,
      );
      const sent = await produceDemoEvents({ redis, view, rate, durationSeconds, entities });
      log(`sent ${sent} events`);
      return 0;
    } finally {
      redis.disconnect();
    }
  });
}
