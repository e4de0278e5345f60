import Link from "next/link";
import { Truncate } from "@/components/ui/truncate";

/** A muted one-line cell, or a dash when empty. */
export function TextCell({ text, mono }: { text: string | null | undefined; mono?: boolean }) {
  if (!text) return <span className="text-zinc-400">—</span>;
  return <Truncate text={text} mono={mono} className="text-zinc-600" />;
}

/** A registry object's name in mono, its description as tooltip; a link to its page with `href`. */
export function NameCell({ name, description, href }: { name: string; description?: string; href?: string }) {
  return (
    <Truncate
      text={description ? `${name}\n${description}` : name}
      mono
      className="font-medium text-zinc-900"
    >
      {href ? (
        <Link href={href} className="hover:text-indigo-600 hover:underline">
          {name}
        </Link>
      ) : (
        name
      )}
    </Truncate>
  );
}

/** Names as links, comma-separated, on one line cut with an ellipsis (all names as tooltip). */
export function LinksCell({ items }: { items: { name: string; href: string }[] }) {
  if (items.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <Truncate text={items.map((i) => i.name).join(", ")} mono className="text-zinc-600">
      {items.map((i, n) => (
        <span key={i.name}>
          {n > 0 && ", "}
          <Link href={i.href} className="text-indigo-600 hover:underline">
            {i.name}
          </Link>
        </span>
      ))}
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
