"use client";

import Link from "next/link";
import { href } from "@/components/catalog/links";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";

type ViewItem = RouterOutputs["featureViews"]["list"][number];

/** The feature views an entity keys or a source feeds, each linked, with its features linked too. */
export function RelatedViews({
  project,
  title,
  description,
  views,
  empty,
}: {
  project: string;
  title: string;
  description?: string;
  views: ViewItem[];
  empty: string;
}) {
  return (
    <Card title={title} description={description} padded={false}>
      {views.length === 0 ? (
        <p className="p-4 text-sm text-zinc-500">{empty}</p>
      ) : (
        <Table aria-label={title} data-testid="related-views">
          <THead>
            <tr>
              <TH className="w-[30%]">View</TH>
              <TH>Features</TH>
              <TH className="w-24">Stores</TH>
            </tr>
          </THead>
          <TBody>
            {views.map((v) => (
              <TR key={v.id}>
                <TD>
                  <Truncate text={v.name} mono>
                    <Link
                      href={href.view(project, v.name)}
                      className="font-medium text-indigo-600 hover:underline"
                    >
                      {v.name}
                    </Link>
                  </Truncate>
                </TD>
                <TD>
                  <Truncate text={v.spec.fields.map((f) => f.name).join(", ")} mono className="text-zinc-600">
                    {v.spec.fields.map((f, i) => (
                      <span key={f.name}>
                        {i > 0 && ", "}
                        <Link
                          href={href.feature(project, v.name, f.name)}
                          className="hover:text-indigo-600 hover:underline"
                        >
                          {f.name}
                        </Link>
                      </span>
                    ))}
                  </Truncate>
                </TD>
                <TD>{v.online ? <Badge tone="green">online</Badge> : <Badge>offline</Badge>}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

/** The online lookups a set of views offers: one per online view, keyed by its entities' join keys. */
export function viewChoices(
  views: ViewItem[],
  entities: readonly { name: string; joinKey: string; valueType: string }[],
) {
  const byName = new Map(entities.map((e) => [e.name, e]));
  return views
    .filter((v) => v.online)
    .map((v) => ({
      label: v.name,
      selection: { features: v.spec.fields.map((f) => `${v.name}:${f.name}`) },
      joinKeys: v.entityNames.flatMap((n) => {
        const e = byName.get(n);
        return e ? [{ name: e.joinKey, valueType: e.valueType }] : [];
      }),
      sampleView: v.name,
    }));
}
