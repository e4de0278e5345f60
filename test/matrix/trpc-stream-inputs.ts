import { randomUUID } from "node:crypto";
import type { Ctx } from "../../server/core/context";
import { createStreamView } from "../../server/streams/registry";
import type { StreamViewSpecInput } from "../../server/streams/schemas";

/** Matrix inputs of streamViews.* (server/trpc/routers/stream-views.ts): each cell gets a view of its own. */
const P = "proj";

export function streamViewSpec(name: string): StreamViewSpecInput {
  return {
    name,
    entities: ["driver"],
    stream: { adapter: "redis", key: `${P}:trips:${name}` },
    timestampField: "ts",
    aggregations: [{ name: "trips_5m", function: "count", windowSeconds: 300 }],
  };
}

async function freshView(trusted: Ctx): Promise<string> {
  const name = `stream_${randomUUID().slice(0, 8)}`;
  await createStreamView({ ctx: trusted, input: { project: P, spec: streamViewSpec(name) } });
  return name;
}

export const STREAM_MATRIX_INPUTS: Record<string, (trusted: Ctx) => Promise<unknown> | unknown> = {
  "streamViews.list": () => ({ project: P }),
  "streamViews.get": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "streamViews.create": () => ({ project: P, spec: streamViewSpec(`stream_${randomUUID().slice(0, 8)}`) }),
  "streamViews.update": async (trusted) => {
    const name = await freshView(trusted);
    return { project: P, expectedVersion: 1, spec: { ...streamViewSpec(name), description: "edited" } };
  },
  "streamViews.delete": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "streamViews.versions": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "streamViews.diff": async (trusted) => ({ project: P, name: await freshView(trusted), from: 1, to: 1 }),
  "streamViews.lag": async (trusted) => ({ project: P, name: await freshView(trusted) }),
};
