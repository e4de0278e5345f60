import { Badge } from "@/components/ui/badge";

/** The engine a transformation runs on, and whether its runs can be incremental. */
export function EngineBadge({ engine, incremental }: { engine: string; incremental: boolean }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={engine === "duckdb" ? "teal" : "blue"}>{engine}</Badge>
      {!incremental && (
        <Badge tone="amber" title="This SQL runs full refreshes only">
          full only
        </Badge>
      )}
    </span>
  );
}
