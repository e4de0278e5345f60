"use client";

import { useQuery } from "@tanstack/react-query";
import { Boxes, GitCompare, Rows3 } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { href, objectHref } from "@/components/catalog/links";
import { TypeBadge } from "@/components/catalog/type-badge";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { FreshnessPanel } from "@/components/objects/freshness-panel";
import { DeprecationBanner, deprecationOf, ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { OfflinePreview } from "@/components/objects/offline-preview";
import { OnlinePreview } from "@/components/objects/online-preview";
import { FeatureStatisticsPanel } from "@/components/statistics/feature-statistics";
import { Badge, TagList } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { formatTtl } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { UsagePanel } from "@/components/views/usage-panel";
import { viewQueryString } from "@/components/views/view-params";
import { useTRPC } from "@/trpc/client";

interface FeaturePageProps {
  project: string;
  featureView: string;
  feature: string;
  /** The lineage panel, filled by page.tsx (components/lineage/object-lineage.tsx). */
  lineageSlot?: ReactNode;
  /** Edit, delete, deprecate: the header's actions slot. */
  actions?: ReactNode;
}

const none = <span className="text-zinc-400">None</span>;

/** One feature: its definition, its view's versions where it changed, who reads it, its values. */
export function FeaturePage({ project, featureView, feature, lineageSlot, actions }: FeaturePageProps) {
  const trpc = useTRPC();
  const view = useQuery(trpc.featureViews.get.queryOptions({ project, name: featureView }));
  const back = { href: href.view(project, featureView), label: featureView };
  if (view.isPending) return <ObjectSkeleton />;
  if (view.isError)
    return (
      <ObjectLoadError
        error={view.error}
        what="Feature"
        icon={Rows3}
        back={back}
        retry={() => view.refetch()}
      />
    );
  const v = view.data;
  const field = v.spec.fields.find((f) => f.name === feature);
  if (!field)
    return (
      <ObjectLoadError
        error={undefined}
        missing={`feature "${feature}" not found in feature view "${featureView}"`}
        what="Feature"
        icon={Rows3}
        back={back}
        retry={() => view.refetch()}
      />
    );
  const deprecation = deprecationOf(field) ?? deprecationOf(v);
  const joinKeys = v.entities.map((e) => ({ name: e.joinKey, valueType: e.valueType }));
  const ref = `${featureView}:${feature}`;

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={feature}
          meta={
            <>
              <TypeBadge dtype={field.dtype} />
              <Badge tone="indigo" mono title="Its view's current version">
                {featureView} v{v.currentVersion}
              </Badge>
            </>
          }
          description={field.description}
          owner={v.spec.owner}
          tags={field.tags}
          facts={
            <span>
              Reference <code className="font-mono text-zinc-700">{ref}</code>
            </span>
          }
          actions={actions}
        />
      }
      notice={
        deprecation && (
          <DeprecationBanner
            deprecation={deprecation}
            replacementHref={
              deprecation.replacedBy?.includes(":")
                ? objectHref(project, "feature", deprecation.replacedBy)
                : deprecation.replacedBy
                  ? href.feature(project, featureView, deprecation.replacedBy)
                  : undefined
            }
          />
        )
      }
      main={
        <>
          <Card title="Definition" id="definition">
            <DescriptionList>
              <Description label="Name">
                <Truncate text={feature} mono />
              </Description>
              <Description label="Type">
                <TypeBadge dtype={field.dtype} />
              </Description>
              <Description label="Description">
                {field.description ? <span className="wrap-anywhere">{field.description}</span> : none}
              </Description>
              <Description label="Tags">
                {Object.keys(field.tags).length > 0 ? <TagList tags={field.tags} wrap /> : none}
              </Description>
              <Description label="Feature view">
                <Link
                  href={href.view(project, featureView)}
                  className="font-mono text-indigo-600 hover:underline"
                >
                  {featureView}
                </Link>
              </Description>
              <Description label="Entities">
                <span className="flex flex-wrap gap-x-3 gap-y-1">
                  {v.entities.map((e) => (
                    <Link
                      key={e.name}
                      href={href.entity(project, e.name)}
                      className="font-mono text-indigo-600 hover:underline"
                    >
                      {e.name}
                      <span className="text-zinc-400"> ({e.joinKey})</span>
                    </Link>
                  ))}
                </span>
              </Description>
              <Description label="Source">
                <Link
                  href={href.source(project, v.source.name)}
                  className="font-mono text-indigo-600 hover:underline"
                >
                  {v.source.name}
                </Link>
              </Description>
              <Description label="Served">
                {v.spec.online ? `online, ttl ${formatTtl(v.spec.ttlSeconds)}` : "offline only"}
              </Description>
            </DescriptionList>
          </Card>
          <FeatureVersions project={project} featureView={featureView} feature={feature} />
        </>
      }
      side={
        <>
          <Readers project={project} featureView={featureView} feature={feature} />
          <FreshnessPanel project={project} views={[featureView]} />
        </>
      }
    >
      {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
      <UsagePanel
        project={project}
        featureView={featureView}
        description={`Online lookups of its view, ${featureView}, per API key and person, by UTC day (reads are counted per view, not per feature).`}
      />
      <FeatureStatisticsPanel project={project} featureView={featureView} feature={feature} />
      <OfflinePreview project={project} target={{ kind: "view", name: featureView, feature }} />
      {v.spec.online && (
        <OnlinePreview
          project={project}
          choices={[{ label: ref, selection: { features: [ref] }, joinKeys, sampleView: featureView }]}
        />
      )}
      <FetchSnippetPanel
        project={project}
        selection={{ features: [ref] }}
        joinKeys={joinKeys}
        sampleView={featureView}
      />
    </ObjectSections>
  );
}

/** The versions of the view in which this feature changed, each with a link to the view's diff. */
function FeatureVersions({
  project,
  featureView,
  feature,
}: {
  project: string;
  featureView: string;
  feature: string;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.features.history.queryOptions({ project, featureView, feature }));
  return (
    <Card
      title="Versions"
      description={`The versions of ${featureView} in which this feature changed.`}
      padded={false}
      id="versions"
    >
      {query.isPending ? (
        <div className="p-4">
          <SkeletonTable rows={2} columns={4} />
        </div>
      ) : query.isError ? (
        <div className="p-4">
          <ErrorState error={query.error} title="Could not load the versions" retry={() => query.refetch()} />
        </div>
      ) : (
        <Table aria-label="Versions of this feature" data-testid="feature-versions">
          <THead>
            <tr>
              <TH className="w-20">Version</TH>
              <TH>Change</TH>
              <TH className="w-40">By</TH>
              <TH className="w-28">When</TH>
              <TH className="w-20" />
            </tr>
          </THead>
          <TBody>
            {query.data.map((e) => (
              <TR key={e.version}>
                <TD>
                  <Link
                    href={href.view(project, featureView, e.version)}
                    className="font-mono text-indigo-600 hover:underline"
                  >
                    v{e.version}
                  </Link>
                </TD>
                <TD>
                  <Badge tone={e.kind === "added" ? "green" : e.kind === "removed" ? "red" : "amber"}>
                    {e.kind}
                  </Badge>{" "}
                  <span className="text-xs text-zinc-600">
                    {e.changes.map((c) => c.path).join(", ") || (e.field ? e.field.dtype : "")}
                  </span>
                </TD>
                <TD>
                  <Truncate text={e.createdBy} className="text-zinc-600" />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={e.createdAt} />
                </TD>
                <TD className="text-right">
                  {e.version > 1 && (
                    <Link
                      href={`${href.view(project, featureView)}${viewQueryString({
                        version: undefined,
                        compare: { from: e.version - 1, to: e.version },
                      })}`}
                      className="inline-flex items-center gap-1 text-xs text-indigo-600 hover:underline"
                      aria-label={`Diff of v${e.version - 1} and v${e.version}`}
                    >
                      <GitCompare className="size-3.5" aria-hidden />
                      Diff
                    </Link>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

/** The services that include this feature and the consumers that read them. */
function Readers({
  project,
  featureView,
  feature,
}: {
  project: string;
  featureView: string;
  feature: string;
}) {
  const trpc = useTRPC();
  const query = useQuery(trpc.lineage.featureConsumers.queryOptions({ project, featureView, feature }));
  return (
    <Card
      title="Read by"
      description="Feature services that include it, and the consumers declared to read them."
    >
      {query.isPending ? (
        <SkeletonTable rows={2} columns={2} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load its readers" retry={() => query.refetch()} />
      ) : query.data.featureServices.length === 0 ? (
        <p className="flex items-center gap-2 text-sm text-zinc-500">
          <Boxes className="size-4 text-zinc-400" aria-hidden />
          No feature service includes it yet.
        </p>
      ) : (
        <DescriptionList>
          <Description label="Services">
            <span className="flex flex-wrap gap-x-3 gap-y-1">
              {query.data.featureServices.map((s) => (
                <Link
                  key={s.name}
                  href={href.service(project, s.name)}
                  className="font-mono text-indigo-600 hover:underline"
                >
                  {s.name}
                </Link>
              ))}
            </span>
          </Description>
          <Description label="Consumers">
            {query.data.consumers.length === 0 ? (
              none
            ) : (
              <span className="flex flex-wrap gap-x-3 gap-y-1">
                {query.data.consumers.map((c) => (
                  <Link
                    key={c.name}
                    href={href.consumer(project, c.name)}
                    className="font-mono text-indigo-600 hover:underline"
                  >
                    {c.name}
                  </Link>
                ))}
              </span>
            )}
          </Description>
        </DescriptionList>
      )}
    </Card>
  );
}
