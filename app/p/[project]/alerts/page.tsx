import type { Metadata } from "next";
import { AlertsPage } from "@/components/alerts/alerts-page";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsRoute({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  await getQueryClient().prefetchQuery(
    trpc.alerts.incidents.list.queryOptions({ project, limit: 20, offset: 0 }),
  );
  return (
    <HydrateClient>
      <AlertsPage project={project} />
    </HydrateClient>
  );
}
