"use client";

import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, Clock, Layers } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { DeprecatedBadge } from "@/components/catalog/deprecated-badge";
import { href } from "@/components/catalog/links";
import { ObjectActions } from "@/components/catalog/object-actions";
import { TypeBadge } from "@/components/catalog/type-badge";
import { VersionsSection } from "@/components/objects/version-history";
import { Badge, TagList } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { formatTtl, humanizeSeconds } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { HeaderSkeleton, Skeleton, SkeletonTable } from "@/components/ui/skeleton";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { SchemaTable } from "./schema-table";
import { VersionDiff } from "./version-diff";
import { readViewState, viewInput, viewQueryString } from "./view-params";
import { ViewSections } from "./view-sections";

interface ViewPageProps {
  project: string;
  name: string;
  /** Filled by page.tsx; see ViewSections. */
  lineageSlot?: ReactNode;
  usageSlot?: ReactNode;
  lagSlot?: ReactNode;
  materializationSlot?: ReactNode;
}

/** One feature view at one version: header, schema, details, history and the slots. */
export function ViewPage({
  project,
  name,
  lineageSlot,
  usageSlot,
  lagSlot,
  materializationSlot,
}: ViewPageProps) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const router = useRouter();
  const pathname = usePathname();
  const state = readViewState(useSearchParams());
  const view = useQuery(trpc.featureViews.get.queryOptions(viewInput(project, name, state.version)));
  const versions = useQuery(trpc.featureViews.versions.queryOptions({ project, name }));

  const back = (
    <Link href={href.views(project)} className="inline-flex items-center gap-1 hover:text-zinc-900">
      <ArrowLeft className="size-3.5" aria-hidden />
      Feature views
    </Link>
  );

  if (view.isPending) return <DetailSkeleton />;
  if (view.isError) {
    return (
      <PageBody>
        <PageHeader eyebrow={back} title={name} />
        {isNotFound(view.error) ? (
          <EmptyState
            icon={Layers}
            title="Feature view not found"
            description={view.error.message}
            action={<ButtonLink href={href.views(project)}>All feature views</ButtonLink>}
          />
        ) : (
          <ErrorState
            error={view.error}
            title="Could not load this feature view"
            retry={() => view.refetch()}
          />
        )}
      </PageBody>
    );
  }

  const v = view.data;
  const isPast = v.version !== v.currentVersion;
  const setCompare = (compare: { from: number; to: number } | undefined) =>
    router.replace(`${pathname}${viewQueryString({ ...state, compare })}`, { scroll: false });

  return (
    <PageBody>
      <ViewSections
        header={
          <PageHeader
            eyebrow={back}
            title={<span className="font-mono">{v.name}</span>}
            actions={
              <>
                {can("definitions.write") && (
                  <ButtonLink
                    href={`/p/${project}/views/new?edit=${encodeURIComponent(v.name)}`}
                    variant="secondary"
                    size="sm"
                    data-testid="edit-view"
                  >
                    Edit
                  </ButtonLink>
                )}
                <ObjectActions
                  project={project}
                  kind="view"
                  name={v.name}
                  hideEdit
                  deprecated={v.deprecatedAt ? { note: v.deprecationNote, replacedBy: v.replacedBy } : null}
                />
              </>
            }
            meta={
              <>
                <Badge tone={isPast ? "amber" : "indigo"} mono>
                  v{v.version}
                </Badge>
                {v.spec.online ? <Badge tone="green">online</Badge> : <Badge>offline only</Badge>}
                <DeprecatedBadge
                  deprecatedAt={v.deprecatedAt}
                  note={v.deprecationNote}
                  replacedBy={v.replacedBy}
                  showReplacement
                />
              </>
            }
            description={
              <div className="flex flex-col gap-2.5">
                {v.spec.description ? <p className="text-zinc-600">{v.spec.description}</p> : null}
                <div className="flex flex-wrap items-center gap-x-4 gap-y-1.5 text-xs text-zinc-500">
                  <span>
                    Owner <span className="font-medium text-zinc-700">{v.spec.owner || "—"}</span>
                  </span>
                  <span>
                    Version by <span className="font-medium text-zinc-700">{v.versionCreatedBy}</span>{" "}
                    <RelativeTime date={v.versionCreatedAt} />
                  </span>
                  {Object.keys(v.spec.tags).length > 0 && <TagList tags={v.spec.tags} max={8} wrap />}
                </div>
              </div>
            }
          />
        }
        notice={
          isPast && (
            <div className="flex items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900">
              <Clock className="size-4 shrink-0 text-amber-600" aria-hidden />
              <span className="flex-1">
                You are looking at version {v.version}. The current version is {v.currentVersion}.
              </span>
              <Link href={href.view(project, name)} className="font-medium underline underline-offset-2">
                Go to current
              </Link>
            </div>
          )
        }
        schema={
          <SchemaTable
            fields={v.spec.fields}
            // A past version's fields may be gone: only the current version links to feature pages.
            featureHref={isPast ? undefined : (f) => href.feature(project, v.name, f)}
          />
        }
        details={<ViewSummaryCards project={project} view={v} />}
        lineageSlot={lineageSlot}
        usageSlot={usageSlot}
        lagSlot={lagSlot}
        materializationSlot={materializationSlot}
        versions={
          <VersionsSection
            versions={versions}
            hrefOf={(version) => href.view(project, name, version)}
            currentVersion={v.currentVersion}
            shownVersion={v.version}
            compare={state.compare}
            onCompare={setCompare}
            renderDiff={(compare, onClose) => (
              <VersionDiff
                project={project}
                name={name}
                from={compare.from}
                to={compare.to}
                onClose={onClose}
              />
            )}
          />
        }
      />
    </PageBody>
  );
}

function DetailSkeleton() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <SkeletonTable rows={6} columns={4} />
        <div className="flex flex-col gap-4">
          <Skeleton className="h-28 w-full rounded-lg" />
          <Skeleton className="h-40 w-full rounded-lg" />
        </div>
      </div>
    </PageBody>
  );
}

type View = RouterOutputs["featureViews"]["get"];

const none = <span className="text-zinc-400">None</span>;

/** Entities, source, ttl, SLA and watermark of the shown version. */
function ViewSummaryCards({ project, view }: { project: string; view: View }) {
  const { spec, source } = view;
  return (
    <div className="flex flex-col gap-4">
      <Card title="Entities" description="Rows are looked up by these join keys.">
        <ul className="flex flex-col gap-2.5">
          {spec.entities.map((name) => {
            const e = view.entities.find((x) => x.name === name);
            return (
              <li key={name} className="flex min-w-0 items-center gap-2 text-sm">
                <span className="min-w-0 shrink">
                  <Truncate text={name} mono className="font-medium text-zinc-900">
                    <Link href={href.entity(project, name)} className="hover:text-indigo-600 hover:underline">
                      {name}
                    </Link>
                  </Truncate>
                </span>
                {e ? (
                  <>
                    <span className="text-zinc-300">·</span>
                    <span className="min-w-0 shrink">
                      <Truncate text={e.joinKey} mono className="text-zinc-600" />
                    </span>
                    <span className="ml-auto shrink-0">
                      <TypeBadge dtype={e.valueType} />
                    </span>
                  </>
                ) : (
                  <Badge tone="red" className="ml-auto">
                    missing
                  </Badge>
                )}
              </li>
            );
          })}
        </ul>
      </Card>

      <Card title="Source">
        <DescriptionList>
          <Description label="Name">
            <span className="flex min-w-0 items-center gap-2">
              <Truncate text={source.name} mono>
                <Link href={href.source(project, source.name)} className="text-indigo-600 hover:underline">
                  {source.name}
                </Link>
              </Truncate>
              <Badge tone={source.kind === "table" ? "blue" : source.kind === "file" ? "teal" : "violet"}>
                {source.kind}
              </Badge>
            </span>
          </Description>
          {source.kind === "table" ? (
            <Description label="Table">
              <Truncate text={source.tableName ?? ""} mono />
            </Description>
          ) : source.kind === "file" ? (
            <Description label="File">
              <Truncate text={`${source.path ?? ""} (${source.fileFormat ?? "?"})`} mono />
            </Description>
          ) : (
            <Description label="Query">
              <pre
                title={source.query ?? ""}
                className="max-h-32 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap text-zinc-700 ring-1 ring-zinc-200"
              >
                {source.query}
              </pre>
            </Description>
          )}
          <Description label="Event time">
            <Truncate text={source.timestampField} mono />
          </Description>
          <Description label="Created time">
            {source.createdTimestampField ? <Truncate text={source.createdTimestampField} mono /> : none}
          </Description>
        </DescriptionList>
      </Card>

      <Card title="Serving">
        <DescriptionList>
          <Description label="TTL">{formatTtl(spec.ttlSeconds)}</Description>
          <Description label="Freshness SLA">
            {spec.freshnessSlaSeconds ? humanizeSeconds(spec.freshnessSlaSeconds) : none}
          </Description>
          <Description label="Watermark">
            {view.materializedUntil ? (
              <RelativeTime date={view.materializedUntil} />
            ) : (
              <span className="text-zinc-400">Never materialized</span>
            )}
          </Description>
          <Description label="Stores">
            <span className="flex flex-wrap gap-1.5">
              {spec.online ? <Badge tone="green">online</Badge> : <Badge>no online</Badge>}
              {spec.offline ? <Badge tone="blue">offline</Badge> : <Badge>no offline</Badge>}
            </span>
          </Description>
          <Description label="Registered">
            <RelativeTime date={view.createdAt} />
          </Description>
        </DescriptionList>
      </Card>
    </div>
  );
}
