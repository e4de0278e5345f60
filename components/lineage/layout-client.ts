import type { LineageGraph } from "@/server/registry/lineage/types";
import {
  columnLayout,
  type LayoutOptions,
  type LineageLayout,
  layoutLineage,
  layoutWithDeadline,
} from "./layout";

/**
 * The page's way to lay out lineage: in one shared Web Worker (layout.worker.ts) with a deadline,
 * after which the column layout (layout.ts `columnLayout`) stays and the worker is stopped (a fresh
 * one takes the next layout). Without Worker support, ELK runs in this thread under the same
 * deadline.
 */

export type LayoutRequest = { id: number; graph: LineageGraph; opts: Omit<LayoutOptions, "elk"> };
export type LayoutReply = { id: number; layout?: LineageLayout; error?: string };

/** ELK's time, from the request, before the column layout is drawn instead. */
export const LAYOUT_DEADLINE_MS = 1500;

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (l: LineageLayout) => void; reject: (e: Error) => void }>();

function getWorker(): Worker | null {
  if (typeof Worker === "undefined") return null;
  if (worker) return worker;
  try {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), {
      type: "module",
      name: "lineage-layout",
    });
  } catch {
    return null;
  }
  worker.onmessage = (event: MessageEvent<LayoutReply>) => {
    const { id, layout, error } = event.data ?? {};
    const waiting = typeof id === "number" ? pending.get(id) : undefined;
    if (!waiting) return;
    pending.delete(id as number);
    if (layout) waiting.resolve(layout);
    else waiting.reject(new Error(error ?? "layout failed"));
  };
  worker.onerror = () => stopLayoutWorker();
  return worker;
}

export function stopLayoutWorker(): void {
  worker?.terminate();
  worker = null;
  for (const waiting of pending.values()) waiting.reject(new Error("layout stopped"));
  pending.clear();
}

function layoutInWorker(w: Worker, graph: LineageGraph, opts: LayoutOptions): Promise<LineageLayout> {
  const id = nextId++;
  const { elk: _elk, ...plain } = opts;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, graph, opts: plain } satisfies LayoutRequest);
  });
}

/**
 * The layout in two steps: the column layout at once (synchronous, a few ms), so the graph paints
 * without waiting for ELK, then ELK's from the worker through `onBetter` if it is in before the
 * deadline. Returns a function that drops a late answer (the graph changed or unmounted).
 */
export function layoutProgressively(
  graph: LineageGraph,
  opts: LayoutOptions,
  onLayout: (layout: LineageLayout) => void,
  deadlineMs = LAYOUT_DEADLINE_MS,
): () => void {
  let current = true;
  const first = columnLayout(graph, opts);
  onLayout(first);
  // ELK starts once the first drawing is painted (two frames on), so that loading it in the worker
  // does not compete for the CPU with that first paint; its deadline runs from then.
  let frame = 0;
  if (first.nodes.length > 0 && typeof requestAnimationFrame === "function")
    frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (!current) return;
        layoutOffThread(graph, opts, deadlineMs).then(
          (layout) => {
            if (current && layout.engine === "elk") onLayout(layout);
          },
          () => {},
        );
      });
    });
  return () => {
    current = false;
    if (frame) cancelAnimationFrame(frame);
  };
}

export function layoutOffThread(
  graph: LineageGraph,
  opts: LayoutOptions = {},
  deadlineMs = LAYOUT_DEADLINE_MS,
): Promise<LineageLayout> {
  const w = getWorker();
  if (!w) return layoutWithDeadline(graph, opts, layoutLineage, deadlineMs);
  return layoutWithDeadline(graph, opts, (g, o) => layoutInWorker(w, g, o), deadlineMs, stopLayoutWorker);
}
