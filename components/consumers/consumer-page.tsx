"use client";

import { useQuery } from "@tanstack/react-query";
import { BrainCircuit } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { ObjectActions } from "@/components/catalog/object-actions";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { FreshnessPanel } from "@/components/objects/freshness-panel";
import { DeprecationBanner, deprecationOf, ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { OnlinePreview } from "@/components/objects/online-preview";
import { joinKeysOf, serviceFeatures } from "@/components/services/service-page";
import { Badge } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { ObjectUsagePanel } from "@/components/views/usage-panel";
import { useTRPC } from "@/trpc/client";

const none = <span className="text-zinc-400">None</span>;

/** One consumer (a model or service): the feature services it reads, its datasets, their reads. */
export function ConsumerPage({
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
  const consumer = useQuery(trpc.consumers.get.queryOptions({ project, name }));
  const services = useQuery(trpc.featureServices.list.queryOptions({ project }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const back = { href: href.consumers(project), label: "Consumers" };
  if (consumer.isPending) return <ObjectSkeleton />;
  if (consumer.isError)
    return (
      <ObjectLoadError
        error={consumer.error}
        what="Consumer"
        icon={BrainCircuit}
        back={back}
        retry={() => consumer.refetch()}
      />
    );
  const c = consumer.data;
  const deprecation = deprecationOf(c);
  const read = (services.data ?? []).filter((s) => c.featureServices.includes(s.name));
  const perService = read.map((s) => {
    const groups = serviceFeatures(s.features, views.data ?? []);
    return {
      service: s,
      groups,
      joinKeys: joinKeysOf(
        groups.map((g) => g.item),
        entities.data ?? [],
      ),
    };
  });
  const viewNames = [...new Set(perService.flatMap((p) => p.groups.map((g) => g.view)))];
  const choices = perService.flatMap((p) =>
    p.groups[0] && p.groups.every((g) => g.item?.online !== false)
      ? [
          {
            label: p.service.name,
            selection: { featureService: p.service.name },
            joinKeys: p.joinKeys,
            sampleView: p.groups[0].view,
          },
        ]
      : [],
  );
  const first = choices[0];

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={c.name}
          meta={<Badge tone={c.kind === "model" ? "violet" : "teal"}>{c.kind}</Badge>}
          description={c.description}
          owner={c.owner}
          tags={c.tags}
          facts={
            <span>
              Registered <RelativeTime date={c.createdAt} />
            </span>
          }
          actions={
            actions ?? (
              <ObjectActions
                project={project}
                kind="consumer"
                name={c.name}
                deprecated={c.deprecatedAt ? { note: c.deprecationNote, replacedBy: c.replacedBy } : null}
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
              deprecation.replacedBy ? objectHref(project, "consumer", deprecation.replacedBy) : undefined
            }
          />
        )
      }
      main={
        <Card title="Definition" id="definition">
          <DescriptionList>
            <Description label="Kind">{c.kind}</Description>
            <Description label="Feature services">
              {c.featureServices.length === 0 ? (
                none
              ) : (
                <ul className="flex flex-col gap-1.5">
                  {perService.map((p) => (
                    <li key={p.service.name} className="min-w-0">
                      <Link
                        href={href.service(project, p.service.name)}
                        className="font-mono font-medium text-indigo-600 hover:underline"
                      >
                        {p.service.name}
                      </Link>
                      <span className="block text-xs text-zinc-500 wrap-anywhere">
                        {p.groups.map((g, i) => (
                          <span key={g.view}>
                            {i > 0 && "; "}
                            <Link href={href.view(project, g.view)} className="font-mono hover:underline">
                              {g.view}
                            </Link>
                            : {g.features.join(", ")}
                          </span>
                        ))}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Description>
            <Description label="Trained on">
              {c.datasets.length === 0 ? (
                none
              ) : (
                <span className="flex flex-wrap gap-x-3 gap-y-1">
                  {c.datasets.map((d) => (
                    <Link
                      key={d}
                      href={href.dataset(project, d)}
                      className="font-mono text-indigo-600 hover:underline"
                    >
                      {d}
                    </Link>
                  ))}
                </span>
              )}
            </Description>
            <Description label="Description">
              {c.description ? <span className="wrap-anywhere">{c.description}</span> : none}
            </Description>
            <Description label="Updated">
              <RelativeTime date={c.updatedAt} />
            </Description>
          </DescriptionList>
        </Card>
      }
      side={<FreshnessPanel project={project} views={viewNames} description="The views its services read." />}
    >
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      <ObjectUsagePanel project={project} kind="consumer" name={c.name} />
      {choices.length > 0 && <OnlinePreview project={project} choices={choices} />}
      {first && (
        <FetchSnippetPanel
          project={project}
          selection={first.selection}
          joinKeys={first.joinKeys}
          sampleView={first.sampleView}
        />
      )}
    </ObjectSections>
  );
}
