"use client";

import Link from "next/link";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";

type Column = RouterOutputs["transformations"]["get"]["columns"][number];

/**
 * The output columns with their types and column lineage: the source columns each is computed
 * from, derived from the parsed SQL (filters are not lineage), each linked to its source's page.
 */
export function OutputColumns({
  project,
  columns,
  eventTimestampColumn,
}: {
  project: string;
  columns: Column[];
  eventTimestampColumn: string;
}) {
  return (
    <Card
      id="columns"
      title="Output columns and lineage"
      description="Inferred from the SQL and checked at each version; lineage comes from the parse tree."
      padded={false}
    >
      <Table aria-label="Output columns" data-testid="output-columns" mobile="cards">
        <THead>
          <tr>
            <TH className="w-[28%]">Column</TH>
            <TH className="w-[22%]">Type</TH>
            <TH>Computed from</TH>
          </tr>
        </THead>
        <TBody>
          {columns.map((c) => (
            <TR key={c.name} data-testid={`output-column-${c.name}`}>
              <TD label="Column">
                <span className="flex min-w-0 items-center gap-1.5">
                  <Truncate text={c.name} mono className="font-medium text-zinc-900" />
                  {c.name === eventTimestampColumn && <Badge tone="indigo">event time</Badge>}
                </span>
              </TD>
              <TD label="Type">
                {/* The Postgres type, and under it the Quiver value type a feature view reads it as. */}
                <Truncate text={c.columnType} mono className="text-zinc-700" />
                {c.valueType && <Truncate text={c.valueType} mono className="text-xs text-zinc-500" />}
              </TD>
              <TD label="Computed from">
                {c.from.length === 0 ? (
                  <span className="text-zinc-400">no source column (a constant)</span>
                ) : (
                  <ul className="flex flex-wrap gap-x-3 gap-y-0.5 font-mono text-[13px]">
                    {c.from.map((f) => (
                      <li key={`${f.source}.${f.column}`} className="min-w-0 wrap-anywhere">
                        <Link
                          href={`${href.source(project, f.source)}#columns`}
                          className="text-indigo-600 hover:underline"
                        >
                          {f.source}.{f.column}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Card>
  );
}
