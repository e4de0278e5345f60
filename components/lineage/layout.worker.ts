/// <reference lib="webworker" />
import ElkConstructor from "elkjs/lib/elk.bundled.js";
import { layoutLineage } from "./layout";
import type { LayoutReply, LayoutRequest } from "./layout-client";

/**
 * The lineage layout off the main thread: the whole of layoutLineage (our column order, then ELK)
 * runs here, so a big layout never blocks input. Loaded by layout-client.ts with
 * `new Worker(new URL("./layout.worker.ts", import.meta.url))`, which Turbopack bundles as a worker.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
// ELK's bundle, once evaluated in a worker, takes `self.onmessage` for its own fake-worker
// protocol: build it first, then take the handler back.
const elk = new ElkConstructor();

scope.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const { id, graph, opts } = event.data;
  if (typeof id !== "number") return;
  layoutLineage(graph, { ...opts, elk }).then(
    (layout) => scope.postMessage({ id, layout } satisfies LayoutReply),
    (e: unknown) =>
      scope.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies LayoutReply),
  );
};
