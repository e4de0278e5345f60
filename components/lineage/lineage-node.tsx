"use client";

import { Handle, type Node, type NodeProps, type NodeTypes, Position } from "@xyflow/react";
import clsx from "clsx";
import { ArrowUpRight, Plus } from "lucide-react";
import Link from "next/link";
import { memo } from "react";
import type { LineageNode, LineageNodeKind } from "@/server/registry/lineage/types";
import { detailOf, KIND_STYLE } from "./kinds";

/** What the graph passes each React Flow node: the lineage node and how to draw it now. */
export type LineageNodeData = {
  node: LineageNode;
  href?: string;
  /** selected: the clicked node; path: up- or downstream of it; dimmed: off the path; idle: nothing selected. */
  state: "idle" | "selected" | "path" | "dimmed";
  /** The node the page is focused on. */
  focus: boolean;
  /** Direct neighbours not drawn (fan-out or depth caps): the "+" expands them. */
  hidden: number;
  expanding: boolean;
  onExpand?: (id: string) => void;
};
export type LineageFlowNode = Node<LineageNodeData, LineageNodeKind>;

// Edges attach here; nobody draws new ones, so the handles stay invisible.
const HIDDEN_HANDLE = { opacity: 0, pointerEvents: "none" } as const;

function LineageNodeCard({ data }: NodeProps<LineageFlowNode>) {
  const { node, href, state, focus, hidden, expanding, onExpand } = data;
  const style = KIND_STYLE[node.kind];
  const detail = detailOf(node);
  return (
    <div
      className={clsx(
        "relative flex h-full w-full cursor-pointer flex-col justify-center gap-1 rounded-md border bg-white px-3 shadow-sm transition-opacity",
        style.border,
        focus && "border-2 border-sky-600",
        state === "selected" && "ring-2 ring-sky-500 ring-offset-1",
        state === "dimmed" && "opacity-30",
      )}
      data-lineage-id={node.id}
      data-state={state}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} style={HIDDEN_HANDLE} />
      <div className="flex min-w-0 items-center justify-between gap-2 text-[10px] leading-none">
        <span
          className={clsx(
            "shrink-0 rounded px-1.5 py-0.5 font-semibold uppercase tracking-wide",
            style.badge,
          )}
        >
          {style.label}
        </span>
        {detail && (
          <span className="truncate text-zinc-500" title={detail}>
            {detail}
          </span>
        )}
      </div>
      <div className="flex min-w-0 items-center gap-1">
        <span className="truncate text-sm font-medium text-zinc-900" title={titleOf(node)}>
          {node.label}
        </span>
        {href && (
          <Link
            href={href}
            // nodrag/nopan: React Flow leaves clicks on the link to the link.
            className="nodrag nopan ml-auto shrink-0 rounded p-0.5 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-900"
            aria-label={`Open ${style.label} ${node.name}`}
            title={`Open ${style.label} ${node.name}`}
            onClick={(e) => e.stopPropagation()}
          >
            <ArrowUpRight size={14} aria-hidden />
          </Link>
        )}
      </div>
      {hidden > 0 && onExpand && (
        <button
          type="button"
          className="nodrag nopan absolute -right-3 top-1/2 flex h-5 min-w-5 -translate-y-1/2 items-center gap-0.5 rounded-full border border-zinc-300 bg-white px-1 text-[10px] font-semibold text-zinc-700 shadow-sm hover:bg-sky-50 hover:text-sky-800 disabled:opacity-60"
          aria-label={`Expand ${hidden} more around ${style.label} ${node.name}`}
          title={`Show ${hidden} more linked to ${node.name}`}
          disabled={expanding}
          onClick={(e) => {
            e.stopPropagation();
            onExpand(node.id);
          }}
          onDoubleClick={(e) => e.stopPropagation()}
        >
          <Plus size={10} aria-hidden />
          {expanding ? "…" : hidden}
        </button>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} style={HIDDEN_HANDLE} />
    </div>
  );
}

function titleOf(node: LineageNode): string {
  return node.kind === "feature" && typeof node.meta.featureView === "string"
    ? `${node.meta.featureView}:${node.name}`
    : node.label;
}

const Card = memo(LineageNodeCard);

/** One node type per kind: they share the card today; a kind can get its own component here. */
export const lineageNodeTypes = {
  source: Card,
  transformation: Card,
  entity: Card,
  feature_view: Card,
  stream_view: Card,
  feature: Card,
  on_demand_view: Card,
  feature_service: Card,
  dataset: Card,
  consumer: Card,
} satisfies Record<LineageNodeKind, unknown> & NodeTypes;
