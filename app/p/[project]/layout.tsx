import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { requirePageUser } from "@/server/web/page-access";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  children: ReactNode;
  params: Promise<{ project: string }>;
}

/** Every project page: the sidebar on the left, the page on the right. */
export default async function ProjectLayout({ children, params }: Props) {
  const { project } = await params;
  const user = await requirePageUser(`/p/${encodeURIComponent(project)}`);
  const projects = await getQueryClient().fetchQuery(trpc.projects.list.queryOptions());
  if (!projects.some((p) => p.name === project)) notFound();
  return (
    <HydrateClient>
      <div className="flex min-h-screen bg-white">
        <Sidebar project={project} user={user} />
        <main className="min-w-0 flex-1">{children}</main>
      </div>
    </HydrateClient>
  );
}
