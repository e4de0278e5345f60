"use client";

import { useQuery } from "@tanstack/react-query";
import { KeyRound } from "lucide-react";
import type { ReactNode } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { ObjectActions } from "@/components/catalog/object-actions";
import { TypeBadge } from "@/components/catalog/type-badge";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { FreshnessPanel } from "@/components/objects/freshness-panel";
import { DeprecationBanner, deprecationOf, ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { OnlinePreview } from "@/components/objects/online-preview";
import { RelatedViews, viewChoices } from "@/components/objects/related-views";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import { ObjectUsagePanel } from "@/components/views/usage-panel";
import { useTRPC } from "@/trpc/client";

/** One entity: its join key and type, the views keyed by it, their freshness and values. */
export function EntityPage({
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
  const entity = useQuery(trpc.entities.get.queryOptions({ project, name }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const back = { href: href.entities(project), label: "Entities" };
  if (entity.isPending) return <ObjectSkeleton />;
  if (entity.isError)
    return (
      <ObjectLoadError
        error={entity.error}
        what="Entity"
        icon={KeyRound}
        back={back}
        retry={() => entity.refetch()}
      />
    );
  const e = entity.data;
  const deprecation = deprecationOf(e);
  const keyed = (views.data ?? []).filter((v) => v.entityNames.includes(e.name));
  const choices = viewChoices(keyed, entities.data ?? [e]);
  const first = choices[0];

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={e.name}
          meta={<TypeBadge dtype={e.valueType} />}
          description={e.description}
          owner={e.owner}
          tags={e.tags}
          facts={
            <span>
              Registered <RelativeTime date={e.createdAt} />
            </span>
          }
          actions={
            actions ?? (
              <ObjectActions
                project={project}
                kind="entity"
                name={e.name}
                deprecated={e.deprecatedAt ? { note: e.deprecationNote, replacedBy: e.replacedBy } : null}
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
              deprecation.replacedBy ? objectHref(project, "entity", deprecation.replacedBy) : undefined
            }
          />
        )
      }
      main={
        <>
          <Card title="Definition" id="definition">
            <DescriptionList>
              <Description label="Name">
                <Truncate text={e.name} mono />
              </Description>
              <Description label="Join key">
                <Truncate text={e.joinKey} mono />
              </Description>
              <Description label="Value type">
                <TypeBadge dtype={e.valueType} />
              </Description>
              <Description label="Description">
                {e.description ? (
                  <span className="wrap-anywhere">{e.description}</span>
                ) : (
                  <span className="text-zinc-400">None</span>
                )}
              </Description>
              <Description label="Updated">
                <RelativeTime date={e.updatedAt} />
              </Description>
            </DescriptionList>
          </Card>
          {views.isPending ? (
            <SkeletonTable rows={2} columns={3} />
          ) : (
            <RelatedViews
              project={project}
              title="Feature views keyed by it"
              views={keyed}
              empty="No feature view is keyed by this entity yet."
            />
          )}
        </>
      }
      side={
        <FreshnessPanel
          project={project}
          views={keyed.map((v) => v.name)}
          description="The views keyed by this entity: how far their online data is behind."
        />
      }
    >
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      <ObjectUsagePanel project={project} kind="entity" name={name} />
      <OnlinePreview project={project} choices={choices} />
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
