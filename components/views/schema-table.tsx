"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { TypeBadge } from "@/components/catalog/type-badge";
import { TagList } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { plural } from "@/components/ui/format";
import { Section } from "@/components/ui/section";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";

type FieldSpec = RouterOutputs["featureViews"]["get"]["spec"]["fields"][number];

/** The field named by the URL hash (#field-conv_rate), kept in sync with hash changes. */
function useHashField(): string | null {
  const [field, setField] = useState<string | null>(null);
  useEffect(() => {
    const read = () => {
      const hash = decodeURIComponent(window.location.hash.slice(1));
      setField(hash.startsWith("field-") ? hash.slice("field-".length) : null);
    };
    read();
    window.addEventListener("hashchange", read);
    return () => window.removeEventListener("hashchange", read);
  }, []);
  return field;
}

/** The typed fields of a view version; the one linked from search is highlighted. */
export function SchemaTable({
  fields,
  featureHref,
}: {
  fields: FieldSpec[];
  featureHref?: (name: string) => string;
}) {
  const target = useHashField();
  return (
    <Section title="Schema" description={plural(fields.length, "feature")}>
      {/* On a phone each feature is a card: its description matters more than a sideways scroll. */}
      <Table mobile="cards">
        <THead>
          <tr>
            <TH className="w-[28%]">Feature</TH>
            <TH className="w-32">Type</TH>
            <TH>Description</TH>
            <TH className="w-[24%]">Tags</TH>
          </tr>
        </THead>
        <TBody>
          {fields.map((f) => (
            <TR
              key={f.name}
              id={`field-${f.name}`}
              className={cn("scroll-mt-24", target === f.name && "bg-amber-50 hover:bg-amber-50")}
            >
              <TD>
                <Truncate text={f.name} mono className="font-medium text-zinc-900">
                  {featureHref ? (
                    <Link href={featureHref(f.name)} className="hover:text-indigo-600 hover:underline">
                      {f.name}
                    </Link>
                  ) : undefined}
                </Truncate>
              </TD>
              <TD label="Type">
                <TypeBadge dtype={f.dtype} />
              </TD>
              <TD label="Description">
                {f.description ? (
                  <Truncate text={f.description} className="text-zinc-600" />
                ) : (
                  <span className="text-zinc-400">—</span>
                )}
              </TD>
              <TD label="Tags">
                <TagList tags={f.tags} max={2} />
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Section>
  );
}
