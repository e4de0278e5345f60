import { Badge } from "@/components/ui/badge";

/** "deprecated" after an object's name, its note and replacement as tooltip; nothing when it is not. */
export function DeprecatedBadge({
  deprecatedAt,
  note,
  replacedBy,
  showReplacement,
}: {
  deprecatedAt: Date | null | undefined;
  note?: string;
  replacedBy?: string | null;
  /** Names the replacement in the badge too (a page header has room; a table cell has not). */
  showReplacement?: boolean;
}) {
  if (!deprecatedAt) return null;
  const tip = [note, replacedBy ? `Replaced by ${replacedBy}` : null].filter(Boolean).join("\n");
  return (
    <Badge tone="amber" title={tip || undefined}>
      deprecated{showReplacement && replacedBy ? `, replaced by ${replacedBy}` : ""}
    </Badge>
  );
}
