import { Truncate } from "@/components/ui/truncate";

/** A muted one-line cell, or a dash when empty. */
export function TextCell({ text, mono }: { text: string | null | undefined; mono?: boolean }) {
  if (!text) return <span className="text-zinc-400">—</span>;
  return <Truncate text={text} mono={mono} className="text-zinc-600" />;
}

/** A registry object's name in mono, its description as tooltip. */
export function NameCell({ name, description }: { name: string; description?: string }) {
  return (
    <Truncate
      text={description ? `${name}\n${description}` : name}
      mono
      className="font-medium text-zinc-900"
    >
      {name}
    </Truncate>
  );
}

/** "Used by 3 feature views", the names as tooltip. */
export function UsageCell({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="text-zinc-400">0</span>;
  return (
    <span className="tabular-nums" title={names.join("\n")}>
      {names.length}
    </span>
  );
}
