"use client";

import { useQuery } from "@tanstack/react-query";
import { Clock, Radio } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { ObjectLineage } from "@/components/lineage/object-lineage";
import { FetchSnippetPanel } from "@/components/objects/fetch-snippet-panel";
import { ObjectHeader } from "@/components/objects/object-header";
import { ObjectLoadError, ObjectSections, ObjectSkeleton } from "@/components/objects/object-sections";
import { VersionsSection } from "@/components/objects/version-history";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { humanizeSeconds } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { lineageNodeId } from "@/server/registry/lineage/types";
import { useTRPC } from "@/trpc/client";
import type { RouterOutputs } from "@/trpc/types";
import { readViewState, viewInput, viewQueryString } from "../views/view-params";
import { DeleteStreamView } from "./stream-delete";
import { StreamLagPanel } from "./stream-lag";
import { StreamLookup } from "./stream-lookup";
import { StreamVersionDiff } from "./stream-version-diff";

type StreamView = RouterOutputs["streamViews"]["get"];
type Aggregation = StreamView["spec"]["aggregations"][number];

/** What a feature of a stream view serves: counts are whole numbers, last is the value as sent. */
export function dtypeOf(a: Pick<Aggregation, "function">): string {
  if (a.function === "count") return "int64";
  if (a.function === "last") return "as sent";
  return "float64";
}

/** One stream view at one version: source, aggregations, lag, look-up, fetch snippet, versions. */
export function StreamPage({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const router = useRouter();
  const pathname = usePathname();
  const state = readViewState(useSearchParams());
  const view = useQuery(trpc.streamViews.get.queryOptions(viewInput(project, name, state.version)));
  const versions = useQuery(trpc.streamViews.versions.queryOptions({ project, name }));
  const entities = useQuery(trpc.entities.list.queryOptions({ project }));
  const back = { href: href.streamViews(project), label: "Stream views" };

  if (view.isPending) return <ObjectSkeleton />;
  if (view.isError)
    return (
      <ObjectLoadError
        error={view.error}
        what="Stream view"
        icon={Radio}
        back={back}
        retry={() => view.refetch()}
      />
    );

  const v = view.data;
  const { spec } = v;
  const isPast = v.version !== v.currentVersion;
  const setCompare = (compare: { from: number; to: number } | undefined) =>
    router.replace(`${pathname}${viewQueryString({ ...state, compare })}`, { scroll: false });
  const joinKeys = v.joinKeys.map((k, i) => ({
    name: k,
    valueType: entities.data?.find((e) => e.name === spec.entities[i])?.valueType ?? "string",
  }));
  const features = spec.aggregations.map((a) => a.name);

  return (
    <ObjectSections
      header={
        <ObjectHeader
          back={back}
          name={v.name}
          meta={
            <>
              <Badge tone={isPast ? "amber" : "indigo"} mono>
                v{v.version}
              </Badge>
              <Badge tone="violet">stream</Badge>
            </>
          }
          description={spec.description}
          owner={spec.owner}
          tags={spec.tags}
          facts={
            <span>
              Registered <RelativeTime date={v.createdAt} />
            </span>
          }
          actions={
            can("definitions.write") && (
              <>
                <ButtonLink href={href.editStreamView(project, v.name)} variant="secondary" size="sm">
                  Edit
                </ButtonLink>
                <DeleteStreamView project={project} name={v.name} />
              </>
            )
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
            <Link href={href.streamView(project, name)} className="font-medium underline underline-offset-2">
              Go to current
            </Link>
          </div>
        )
      }
      main={
        <>
          <Section
            id="aggregations"
            title="Aggregations"
            description="Each one is a feature, served as view:feature and computed from the tiles at read time."
          >
            <Table mobile="scroll">
              <THead>
                <tr>
                  <TH className="w-[28%]">Feature</TH>
                  <TH className="w-24">Function</TH>
                  <TH>Input field</TH>
                  <TH className="w-24">Window</TH>
                  <TH className="w-24">Kind</TH>
                  <TH className="w-24">Type</TH>
                </tr>
              </THead>
              <TBody>
                {spec.aggregations.map((a) => (
                  <TR key={a.name}>
                    <TD>
                      <Truncate text={a.name} mono className="font-medium text-zinc-900" />
                    </TD>
                    <TD className="font-mono text-[13px]">{a.function}</TD>
                    <TD>
                      {a.column ? (
                        <Truncate text={a.column} mono />
                      ) : (
                        <span className="text-zinc-400">every event</span>
                      )}
                    </TD>
                    <TD>{humanizeSeconds(a.windowSeconds)}</TD>
                    <TD>
                      <Badge tone={a.kind === "sliding" ? "blue" : "teal"}>{a.kind}</Badge>
                    </TD>
                    <TD className="font-mono text-[13px] text-zinc-600">{dtypeOf(a)}</TD>
                  </TR>
                ))}
              </TBody>
            </Table>
          </Section>
          {!isPast && (
            <StreamLookup project={project} view={v.name} features={features} joinKeys={joinKeys} />
          )}
        </>
      }
      side={
        <>
          <Card title="Source" description="The Redis Stream read, and how its events become tiles.">
            <DescriptionList>
              <Description label="Stream key">
                <Truncate text={spec.stream.key} mono />
              </Description>
              <Description label="Event time">
                <Truncate text={spec.timestampField} mono />
              </Description>
              <Description label="Event id">
                {spec.eventIdField ? (
                  <Truncate text={spec.eventIdField} mono />
                ) : (
                  <span className="text-zinc-500">the stream entry id</span>
                )}
              </Description>
              <Description label="Entities">
                <span className="flex min-w-0 flex-col gap-1">
                  {spec.entities.map((e, i) => (
                    <span key={e} className="flex min-w-0 items-center gap-1.5">
                      <Truncate text={e} mono>
                        <Link href={href.entity(project, e)} className="text-indigo-600 hover:underline">
                          {e}
                        </Link>
                      </Truncate>
                      <span className="text-zinc-400">·</span>
                      <Truncate text={v.joinKeys[i] ?? ""} mono className="text-zinc-600" />
                    </span>
                  ))}
                </span>
              </Description>
              <Description label="Allowed lateness">
                {humanizeSeconds(spec.allowedLatenessSeconds)}
              </Description>
              <Description label="Tile size">{humanizeSeconds(spec.tileSeconds)}</Description>
            </DescriptionList>
          </Card>
          {!isPast && <StreamLagPanel project={project} name={v.name} />}
          <Card
            title="Offline table"
            description="Every counted event is appended here by the worker, for training sets."
          >
            <Truncate text={`<project schema>.stream_${v.name}`.slice(0, 80)} mono className="text-sm" />
            <p className="mt-2 text-xs text-zinc-500">
              Columns: event_id, entity_key, the join keys, event_timestamp, fields (jsonb), appended_at. Late
              events are not appended.
            </p>
          </Card>
        </>
      }
    >
      {!isPast && (
        <FetchSnippetPanel
          project={project}
          selection={{ features: features.map((f) => `${v.name}:${f}`) }}
          joinKeys={joinKeys}
        />
      )}
      {!isPast && <ObjectLineage project={project} nodeId={lineageNodeId("stream_view", v.name)} />}
      {
        <VersionsSection
          versions={versions}
          hrefOf={(version) => href.streamView(project, name, version)}
          currentVersion={v.currentVersion}
          shownVersion={v.version}
          compare={state.compare}
          onCompare={setCompare}
          renderDiff={(compare, onClose) => (
            <StreamVersionDiff
              project={project}
              name={name}
              from={compare.from}
              to={compare.to}
              onClose={onClose}
            />
          )}
        />
      }
    </ObjectSections>
  );
}
