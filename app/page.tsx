import { FolderPlus } from "lucide-react";
import { redirect } from "next/navigation";
import { Logo } from "@/components/shell/logo";
import { EmptyState } from "@/components/ui/empty-state";
import { getQueryClient, trpc } from "@/trpc/server";

export const dynamic = "force-dynamic";

/** The demo project when it exists, otherwise the first project; a welcome when there is none. */
export default async function Home() {
  const projects = await getQueryClient().fetchQuery(trpc.projects.list.queryOptions());
  const target = projects.find((p) => p.name === "demo") ?? projects[0];
  if (target) redirect(`/p/${encodeURIComponent(target.name)}/features`);
  return (
    <main className="flex min-h-screen flex-col items-center justify-center bg-zinc-50 px-6">
      <Logo className="mb-8" />
      <EmptyState
        className="w-full max-w-lg"
        icon={FolderPlus}
        title="No projects yet"
        description={
          <>
            <p>A project holds entities, sources and feature views. Load the demo project to look around:</p>
            <pre className="mt-3 rounded-md bg-zinc-900 px-3 py-2 text-left font-mono text-xs text-zinc-100">
              npx quiver seed
            </pre>
            <p className="mt-3">Then reload this page.</p>
          </>
        }
      />
    </main>
  );
}
