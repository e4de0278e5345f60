import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AppFrame } from "@/components/shell/app-frame";
import { LogoLink } from "@/components/shell/logo";
import { Sidebar } from "@/components/shell/sidebar";
import { requirePageUser } from "@/server/web/page-access";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

interface Props {
  children: ReactNode;
  params: Promise<{ project: string }>;
}

/** Every project page: the sidebar on the left (a drawer on phones), the page on the right. */
export default async function ProjectLayout({ children, params }: Props) {
  const { project } = await params;
  const user = await requirePageUser(`/p/${encodeURIComponent(project)}`);
  const projects = await getQueryClient().fetchQuery(trpc.projects.list.queryOptions());
  if (!projects.some((p) => p.name === project)) notFound();
  return (
    <HydrateClient>
      <AppFrame
        sidebar={<Sidebar project={project} user={user} />}
        brand={
          <>
            <LogoLink href={`/p/${encodeURIComponent(project)}/features`} />
            <span className="ml-1 min-w-0 truncate text-sm text-zinc-500" title={project}>
              {project}
            </span>
          </>
        }
      >
        {children}
      </AppFrame>
    </HydrateClient>
  );
}
