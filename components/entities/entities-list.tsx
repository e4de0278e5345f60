"use client";

import { useQuery } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { formHref } from "@/components/catalog/links";
import { TagList } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { useTRPC } from "@/trpc/client";
import { NameCell, TextCell, UsageCell } from "../catalog/cells";
import { DeprecatedBadge } from "../catalog/deprecated-badge";
import { href } from "../catalog/links";
import { ObjectActions } from "../catalog/object-actions";
import { TypeBadge } from "../catalog/type-badge";

/** Entities of a project with their join keys and the views keyed by them. */
export function EntitiesList({ project }: { project: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.entities.list.queryOptions({ project }));
  const views = useQuery(trpc.featureViews.list.queryOptions({ project }));
  const viewsOf = (entity: string) =>
    (views.data ?? []).filter((v) => v.entityNames.includes(entity)).map((v) => v.name);
  const { can } = useProjectRole(project);
  const create = can("definitions.write") && (
    <ButtonLink href={formHref(project, "entity")} variant="primary">
      <Plus className="size-4" aria-hidden />
      New entity
    </ButtonLink>
  );

  return (
    <PageBody>
      <PageHeader
        title="Entities"
        description="The things features describe (a driver, a customer). Each has a join key that rows are looked up by."
        actions={create}
      />
      {query.isPending ? (
        <SkeletonTable rows={5} columns={7} />
      ) : query.isError ? (
        <ErrorState error={query.error} title="Could not load entities" retry={() => query.refetch()} />
      ) : query.data.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No entities yet"
          description="Register an entity (name, join key, value type) before defining feature views keyed by it."
          action={create}
        />
      ) : (
        <Table>
          <THead>
            <tr>
              <TH className="w-[17%]">Name</TH>
              <TH className="w-[15%]">Join key</TH>
              <TH className="w-24">Type</TH>
              <TH>Description</TH>
              <TH className="w-24 text-right">Views</TH>
              <TH className="w-[15%] hidden xl:table-cell">Tags</TH>
              <TH className="w-[13%] hidden xl:table-cell">Owner</TH>
              <TH className="w-28">Updated</TH>
              <TH className="w-32">
                <span className="sr-only">Actions</span>
              </TH>
            </tr>
          </THead>
          <TBody>
            {query.data.map((e) => (
              <TR key={e.id}>
                <TD>
                  <div className="flex min-w-0 items-center gap-1.5">
                    <NameCell name={e.name} description={e.description} href={href.entity(project, e.name)} />
                    <DeprecatedBadge
                      deprecatedAt={e.deprecatedAt}
                      note={e.deprecationNote}
                      replacedBy={e.replacedBy}
                    />
                  </div>
                </TD>
                <TD>
                  <TextCell text={e.joinKey} mono />
                </TD>
                <TD>
                  <TypeBadge dtype={e.valueType} />
                </TD>
                <TD>
                  <TextCell text={e.description} />
                </TD>
                <TD className="text-right">
                  <UsageCell names={viewsOf(e.name)} />
                </TD>
                <TD className="hidden xl:table-cell">
                  <TagList tags={e.tags} max={1} />
                </TD>
                <TD className="hidden xl:table-cell">
                  <TextCell text={e.owner} />
                </TD>
                <TD className="text-zinc-500">
                  <RelativeTime date={e.updatedAt} />
                </TD>
                <TD>
                  <ObjectActions
                    compact
                    project={project}
                    kind="entity"
                    name={e.name}
                    deprecated={e.deprecatedAt ? { note: e.deprecationNote, replacedBy: e.replacedBy } : null}
                  />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </PageBody>
  );
}
