import type { Metadata } from "next";
import { StreamForm } from "@/components/streams/stream-form";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Edit ${name}` };
}

/** The layout above has answered 404 for an unknown name. */
export default async function EditStreamViewPage({ params }: Props) {
  const { project, name } = await params;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.streamViews.get.queryOptions({ project, name })),
    qc.prefetchQuery(trpc.entities.list.queryOptions({ project })),
  ]);
  return (
    <HydrateClient>
      <StreamForm project={project} editName={name} />
    </HydrateClient>
  );
}
