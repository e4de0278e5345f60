import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DatasetPage } from "@/components/datasets/dataset-page";
import { roleAllows } from "@/server/auth/roles";
import { NAME_PATTERN } from "@/server/core/name";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  params: Promise<{ project: string; name: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: name };
}

export default async function DatasetDetailPage({ params }: Props) {
  const { project, name } = await params;
  if (!NAME_PATTERN.test(name)) notFound();
  const qc = getQueryClient();
  const [dataset, projects] = await Promise.all([
    qc.fetchQuery(trpc.datasets.get.queryOptions({ project, name })).catch(() => undefined),
    qc.fetchQuery(trpc.projects.list.queryOptions()),
  ]);
  // The rows only for a finished dataset and a role that may read values (the page asks the same).
  const role = projects.find((p) => p.name === project)?.role;
  const canRead = role === null || (role !== undefined && roleAllows(role, "values.read"));
  if (dataset?.status === "ready" && canRead)
    await qc.prefetchQuery(trpc.datasets.preview.queryOptions({ project, name }));
  return (
    <HydrateClient>
      <DatasetPage project={project} name={name} />
    </HydrateClient>
  );
}
