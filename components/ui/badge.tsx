import type { ReactNode } from "react";
import { cn } from "./cn";

export type Tone = "gray" | "indigo" | "blue" | "green" | "amber" | "red" | "violet" | "teal";

const TONES: Record<Tone, string> = {
  gray: "bg-zinc-100 text-zinc-700 ring-zinc-500/15",
  indigo: "bg-indigo-50 text-indigo-700 ring-indigo-600/15",
  blue: "bg-sky-50 text-sky-700 ring-sky-600/15",
  green: "bg-emerald-50 text-emerald-700 ring-emerald-600/15",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/15",
  violet: "bg-violet-50 text-violet-700 ring-violet-600/15",
  teal: "bg-teal-50 text-teal-700 ring-teal-600/15",
};

interface BadgeProps {
  children: ReactNode;
  tone?: Tone;
  /** Monospace text, for types and identifiers. */
  mono?: boolean;
  title?: string;
  className?: string;
}

/** A small label: `<Badge tone="green">online</Badge>`. */
export function Badge({ children, tone = "gray", mono, title, className }: BadgeProps) {
  return (
    <span
      title={title}
      className={cn(
        "inline-flex max-w-full items-center gap-1 truncate rounded px-1.5 py-px text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        mono && "font-mono text-[11px]",
        TONES[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

/** A "key:value" tag with the key muted: `<Tag name="team" value="drivers" />`. */
export function Tag({ name, value, className }: { name: string; value: string; className?: string }) {
  const text = value ? `${name}:${value}` : name;
  return (
    <span
      title={text}
      className={cn(
        "inline-flex min-w-0 max-w-48 items-center truncate rounded-full border border-zinc-200 bg-white px-2 py-px text-xs whitespace-nowrap text-zinc-700",
        className,
      )}
    >
      <span className="text-zinc-400">{name}</span>
      {value && (
        <>
          <span className="text-zinc-300">:</span>
          <span className="truncate">{value}</span>
        </>
      )}
    </span>
  );
}

interface TagListProps {
  tags: Record<string, string>;
  /** Tags shown before "+N". */
  max?: number;
  /** Wrap onto more lines (headers); in table cells tags stay on one line. */
  wrap?: boolean;
  className?: string;
}

/** The first `max` tags of a record, then "+N" with the rest in its title; a dash when empty. */
export function TagList({ tags, max = 3, wrap = false, className }: TagListProps) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return <span className="text-zinc-400">—</span>;
  const shown = entries.slice(0, max);
  const rest = entries.slice(max);
  return (
    <span
      className={cn("flex min-w-0 items-center gap-1", wrap ? "flex-wrap" : "overflow-hidden", className)}
    >
      {shown.map(([k, v]) => (
        <Tag key={k} name={k} value={v} />
      ))}
      {rest.length > 0 && (
        <span className="shrink-0 text-xs text-zinc-500" title={rest.map(([k, v]) => `${k}:${v}`).join("\n")}>
          +{rest.length}
        </span>
      )}
    </span>
  );
}
