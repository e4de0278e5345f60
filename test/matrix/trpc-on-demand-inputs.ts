import { randomUUID } from "node:crypto";
import type { Ctx } from "../../server/core/context";
import { createOnDemandView } from "../../server/on-demand/registry";

/**
 * Matrix inputs of onDemandViews.* (server/trpc/routers/on-demand.ts). Each cell that changes a
 * view gets a view of its own, over the matrix project's driver_hourly_stats.
 */
const P = "proj";

function spec(name: string) {
  return {
    name,
    inputs: ["driver_hourly_stats:conv_rate"],
    requestFields: [{ name: "boost", dtype: "float64" as const }],
    fields: [
      {
        name: "boosted",
        dtype: "float64" as const,
        expression: "driver_hourly_stats.conv_rate * request.boost",
      },
    ],
  };
}

async function freshView(trusted: Ctx): Promise<string> {
  const name = `odv_${randomUUID().slice(0, 8)}`;
  await createOnDemandView({ ctx: trusted, input: { project: P, spec: spec(name) } });
  return name;
}

export const ON_DEMAND_MATRIX_INPUTS: Record<string, (trusted: Ctx) => Promise<unknown> | unknown> = {
  "onDemandViews.list": () => ({ project: P }),
  "onDemandViews.get": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "onDemandViews.create": () => ({ project: P, spec: spec(`odv_${randomUUID().slice(0, 8)}`) }),
  "onDemandViews.update": async (trusted) => {
    const name = await freshView(trusted);
    return { project: P, baseVersion: 1, spec: { ...spec(name), description: randomUUID() } };
  },
  "onDemandViews.delete": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "onDemandViews.versions": async (trusted) => ({ project: P, name: await freshView(trusted) }),
  "onDemandViews.diff": async (trusted) => ({ project: P, name: await freshView(trusted), from: 1, to: 1 }),
};
