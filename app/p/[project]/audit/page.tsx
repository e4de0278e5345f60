import type { Metadata } from "next";
import { AuditList } from "@/components/audit/audit-list";
import { auditInput, auditPaging, readAuditFilters } from "@/components/audit/audit-params";
import { toURLSearchParams } from "@/components/ui/url";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Audit log" };

interface Props {
  params: Promise<{ project: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function AuditPage({ params, searchParams }: Props) {
  const { project } = await params;
  const filters = readAuditFilters(toURLSearchParams(await searchParams));
  // A refusal (not an owner) is not prefetched; the client asks again and shows the 403 state.
  await getQueryClient().prefetchInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(auditInput(project, filters), auditPaging),
  );
  return (
    <HydrateClient>
      <AuditList project={project} />
    </HydrateClient>
  );
}
