import type { Metadata } from "next";
import { InstanceAuditList } from "@/components/admin/instance-audit-list";
import { auditPaging, instanceAuditInput, readInstanceAuditFilters } from "@/components/audit/audit-params";
import { toURLSearchParams } from "@/components/ui/url";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Instance audit log" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function InstanceAuditPage({ searchParams }: Props) {
  const filters = readInstanceAuditFilters(toURLSearchParams(await searchParams));
  // A refusal (not an administrator) is not prefetched; the client asks again and shows the 403 state.
  await getQueryClient().prefetchInfiniteQuery(
    trpc.admin.audit.infiniteQueryOptions(instanceAuditInput(filters), auditPaging),
  );
  return (
    <HydrateClient>
      <InstanceAuditList />
    </HydrateClient>
  );
}
