import type { LineageNode, LineageNodeKind } from "@/server/registry/lineage/types";

/**
 * How each kind of lineage node looks: its badge text and classes, and its minimap color. Full class
 * strings (never built from parts) so Tailwind finds them; only colour families globals.css remaps
 * for dark mode (amber, blue, emerald, green, indigo, rose, sky, slate, teal, violet).
 */
export const KIND_STYLE: Record<
  LineageNodeKind,
  { label: string; badge: string; border: string; color: string }
> = {
  source: {
    label: "source",
    badge: "bg-amber-100 text-amber-800",
    border: "border-amber-300",
    color: "#f59e0b",
  },
  transformation: {
    label: "transformation",
    badge: "bg-indigo-100 text-indigo-800",
    border: "border-indigo-300",
    color: "#6366f1",
  },
  entity: {
    label: "entity",
    badge: "bg-violet-100 text-violet-800",
    border: "border-violet-300",
    color: "#8b5cf6",
  },
  feature_view: {
    label: "view",
    badge: "bg-sky-100 text-sky-800",
    border: "border-sky-300",
    color: "#0ea5e9",
  },
  stream_view: {
    label: "stream view",
    badge: "bg-blue-100 text-blue-800",
    border: "border-blue-300",
    color: "#3b82f6",
  },
  feature: {
    label: "feature",
    badge: "bg-emerald-100 text-emerald-800",
    border: "border-emerald-300",
    color: "#10b981",
  },
  on_demand_view: {
    label: "on-demand view",
    badge: "bg-green-100 text-green-800",
    border: "border-green-300",
    color: "#22c55e",
  },
  feature_service: {
    label: "service",
    badge: "bg-rose-100 text-rose-800",
    border: "border-rose-300",
    color: "#f43f5e",
  },
  dataset: {
    label: "dataset",
    badge: "bg-teal-100 text-teal-800",
    border: "border-teal-300",
    color: "#14b8a6",
  },
  consumer: {
    label: "consumer",
    badge: "bg-slate-200 text-slate-800",
    border: "border-slate-300",
    color: "#64748b",
  },
};

/** The one fact shown beside the badge: a view's version, a feature's dtype, a consumer's kind ... */
export function detailOf(node: LineageNode): string | undefined {
  const m = node.meta;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  switch (node.kind) {
    case "source":
      return str(m.table) ?? str(m.sourceKind);
    case "transformation":
      return typeof m.version === "number" ? `v${m.version} · ${str(m.engine) ?? "sql"}` : undefined;
    case "stream_view":
      return str(m.stream);
    case "on_demand_view":
      return typeof m.version === "number"
        ? `v${m.version} · ${count(m.featureCount, "feature")}`
        : undefined;
    case "entity":
      return str(m.joinKey);
    case "feature_view":
      return typeof m.version === "number"
        ? `v${m.version} · ${count(m.featureCount, "feature")}`
        : undefined;
    case "feature":
      return str(m.dtype) ?? (m.viewKind === "stream_view" ? "stream" : undefined);
    case "feature_service":
      return count(m.featureCount, "feature");
    case "dataset":
      return typeof m.status === "string" && m.status !== "ready" ? m.status : count(m.rows, "row");
    case "consumer":
      return str(m.consumerKind);
  }
}

function count(v: unknown, noun: string): string | undefined {
  return typeof v === "number" ? `${v} ${noun}${v === 1 ? "" : "s"}` : undefined;
}
