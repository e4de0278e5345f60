import "server-only";
import type { AnyOperation } from "../operations/define";
import { getOnlineFeaturesOp, healthOp, pushOp } from "../serving";

/**
 * What the feature server answers: Feast's lookup, push and health at the app's paths
 * (`/api/v1/...`, so a client changes only the host) and at Feast's own root paths
 * (`/get-online-features`, `/push`, `/health`: Feast's feature server has no prefix), and
 * `/metrics`. `label` is the route's name in metrics: one per route whatever path reached it.
 */
export type Route = { method: "GET" | "POST"; label: string } & (
  | { kind: "operation"; op: AnyOperation }
  | { kind: "metrics" }
);

/** The operations served, each at its REST path (server/operations/define.ts). */
export const SERVED_OPERATIONS: readonly AnyOperation[] = [getOnlineFeaturesOp, pushOp, healthOp];

export const ROUTES: ReadonlyMap<string, Route> = new Map(
  SERVED_OPERATIONS.flatMap((op): [string, Route][] => {
    const path = op.rest?.path;
    if (!path?.startsWith("/api/v1/")) throw new Error(`operation ${op.name} has no /api/v1 path`);
    const route: Route = { kind: "operation", op, method: op.rest?.method ?? "POST", label: path };
    return [
      [path, route],
      [path.slice("/api/v1".length), route],
    ];
  }).concat([["/metrics", { kind: "metrics", method: "GET", label: "/metrics" }]]),
);

/** The metrics label of a request that matched no route. */
export const UNKNOWN_ROUTE = "other";
