"use client";

import { useQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { Lock } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { useTRPC } from "@/trpc/client";
import { ApiKeysSection } from "./api-keys-section";
import { MembersSection } from "./members-section";
import { OfflineSpaceSection } from "./offline-space-section";
import { StatisticsSection } from "./statistics-section";

function isForbidden(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data?.code === "FORBIDDEN";
}

/** Members and API keys of a project; owners only, everyone else sees why not. */
export function ProjectSettings({ project }: { project: string }) {
  const trpc = useTRPC();
  const members = useQuery(trpc.access.members.list.queryOptions({ project }));

  if (isForbidden(members.error))
    return (
      <PageBody>
        <PageHeader title="Settings" />
        <EmptyState
          icon={Lock}
          title="Only project owners can manage members and API keys"
          description="Ask an owner of this project to add people or create a key for you."
        />
      </PageBody>
    );

  return (
    <PageBody className="max-w-[1200px]">
      <PageHeader
        title="Settings"
        description={
          <>
            Who may do what in <span className="font-medium text-zinc-700">{project}</span>: people by their
            role, machines by API key.
          </>
        }
      />
      <div className="flex flex-col gap-10">
        <MembersSection project={project} />
        <ApiKeysSection project={project} />
        <OfflineSpaceSection project={project} />
        <StatisticsSection project={project} />
      </div>
    </PageBody>
  );
}
