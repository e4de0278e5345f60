import type { Metadata } from "next";
import { ProjectSettings } from "@/components/settings/project-settings";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  const qc = getQueryClient();
  // A refusal (not an owner) is not prefetched; the client asks again and shows the 403 state.
  await Promise.all([
    qc.prefetchQuery(trpc.access.members.list.queryOptions({ project })),
    qc.prefetchQuery(trpc.access.keys.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <ProjectSettings project={project} />
    </HydrateClient>
  );
}
