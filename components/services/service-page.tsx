"use client";

import { useQuery } from "@tanstack/react-query";
import { Boxes } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { ObjectActions } from "@/components/catalog/object-actions";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { FreshnessPanel } from "@/components/objects/freshness-panel";
import { DeprecationBanner, deprecationOf, ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { OnlinePreview } from "@/components/objects/online-preview";
import { Badge } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { ObjectUsagePanel } from "@/components/views/usage-panel";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";

type ViewItem = RouterOutputs["featureViews"]["list"][number];

/** A service's references ("view:feature", "view:*") as views with their features, "*" expanded. */
export function serviceFeatures(refs: readonly string[], views: readonly ViewItem[]) {
  const byName = new Map(views.map((v) => [v.name, v]));
  const out = new Map<string, string[]>();
  for (const ref of refs) {
    const i = ref.indexOf(":");
    const view = ref.slice(0, i);
    const feature = ref.slice(i + 1);
    const list = out.get(view) ?? [];
    const names = feature === "*" ? (byName.get(view)?.spec.fields.map((f) => f.name) ?? []) : [feature];
    for (const n of names) if (!list.includes(n)) list.push(n);
    out.set(view, list);
  }
  return [...out].map(([view, features]) => ({ view, features, item: byName.get(view) }));
}

/** The join keys a lookup of these views needs, in first-seen order. */
export function joinKeysOf(
  views: readonly (ViewItem | undefined)[],
  entities: readonly { name: string; joinKey: string; valueType: string }[],
) {
  const byName = new Map(entities.map((e) => [e.name, e]));
  const keys: { name: string; valueType: string }[] = [];
  for (const v of views)
    for (const n of v?.entityNames ?? []) {
      const e = byName.get(n);
      if (e && !keys.some((k) => k.name === e.joinKey))
        keys.push({ name: e.joinKey, valueType: e.valueType });
    }
  return keys;
}

/** One feature service: its features by view, who reads it, their freshness and values. */
export function ServicePage({
  project,
  name,
  lineageSlot,
  actions,
}: {
  project: string;
  name: string;
  lineageSlot?: ReactNode;
  /** Edit, delete, deprecate: the header's actions slot. */
  actions?: ReactNode;
}) {
  const trpc = useTRPC();
  const service = useQuery(trpc.featureServices.get.queryOptions({ project, name }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const consumers = useQuery(trpc.consumers.list.queryOptions({ project }));
  const back = { href: href.services(project), label: "Services" };
  if (service.isPending) return <ObjectSkeleton />;
  if (service.isError)
    return (
      <ObjectLoadError
        error={service.error}
        what="Feature service"
        icon={Boxes}
        back={back}
        retry={() => service.refetch()}
      />
    );
  const s = service.data;
  const deprecation = deprecationOf(s);
  const groups = serviceFeatures(s.features, views.data ?? []);
  const joinKeys = joinKeysOf(
    groups.map((g) => g.item),
    entities.data ?? [],
  );
  const readers = (consumers.data ?? []).filter((c) => c.featureServices.includes(s.name));
  const sampleView = groups[0]?.view;
  const online = groups.every((g) => g.item?.online !== false);

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={s.name}
          meta={<Badge tone="indigo">{s.features.length} references</Badge>}
          description={s.description}
          owner={s.owner}
          tags={s.tags}
          facts={
            <span>
              Registered <RelativeTime date={s.createdAt} />
            </span>
          }
          actions={
            actions ?? (
              <ObjectActions
                project={project}
                kind="service"
                name={s.name}
                deprecated={s.deprecatedAt ? { note: s.deprecationNote, replacedBy: s.replacedBy } : null}
              />
            )
          }
        />
      }
      notice={
        deprecation && (
          <DeprecationBanner
            deprecation={deprecation}
            replacementHref={
              deprecation.replacedBy ? objectHref(project, "service", deprecation.replacedBy) : undefined
            }
          />
        )
      }
      main={
        <Card
          title="Features"
          description="What it serves, by feature view (view:* expanded)."
          padded={false}
          id="definition"
        >
          <Table aria-label="Features of this service" data-testid="service-features">
            <THead>
              <tr>
                <TH className="w-[30%]">View</TH>
                <TH>Features</TH>
              </tr>
            </THead>
            <TBody>
              {groups.map((g) => (
                <TR key={g.view} className="align-top">
                  <TD>
                    <Truncate text={g.view} mono>
                      <Link
                        href={href.view(project, g.view)}
                        className="font-medium text-indigo-600 hover:underline"
                      >
                        {g.view}
                      </Link>
                    </Truncate>
                  </TD>
                  <TD>
                    <span className="flex flex-wrap gap-x-3 gap-y-1 font-mono text-[13px]">
                      {g.features.map((f) => (
                        <Link
                          key={f}
                          href={href.feature(project, g.view, f)}
                          className="break-all text-zinc-700 hover:text-indigo-600 hover:underline"
                        >
                          {f}
                        </Link>
                      ))}
                    </span>
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </Card>
      }
      side={
        <>
          <Card title="Consumers" description="Models and services declared to read it.">
            {readers.length === 0 ? (
              <p className="text-sm text-zinc-500">No consumer is declared to read it.</p>
            ) : (
              <DescriptionList>
                {readers.map((c) => (
                  <Description
                    key={c.name}
                    label={<Badge tone={c.kind === "model" ? "violet" : "teal"}>{c.kind}</Badge>}
                  >
                    <Truncate text={c.name} mono>
                      <Link href={href.consumer(project, c.name)} className="text-indigo-600 hover:underline">
                        {c.name}
                      </Link>
                    </Truncate>
                  </Description>
                ))}
              </DescriptionList>
            )}
          </Card>
          <FreshnessPanel project={project} views={groups.map((g) => g.view)} />
        </>
      }
    >
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      <ObjectUsagePanel project={project} kind="service" name={s.name} />
      {sampleView && online && (
        <OnlinePreview
          project={project}
          choices={[{ label: s.name, selection: { featureService: s.name }, joinKeys, sampleView }]}
        />
      )}
      <FetchSnippetPanel
        project={project}
        selection={{ featureService: s.name }}
        joinKeys={joinKeys}
        sampleView={sampleView}
      />
    </ObjectSections>
  );
}
