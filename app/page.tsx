import { FolderPlus } from "lucide-react";
import { redirect } from "next/navigation";
import { Logo } from "@/components/shell/logo";
import { SignOutButton } from "@/components/shell/user-menu";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { requirePageUser } from "@/server/web/page-access";
import { getQueryClient, trpc } from "@/trpc/server";

export const dynamic = "force-dynamic";

/**
 * The demo project when the user may see it, otherwise their first project; when they belong to
 * none, who to ask. First-run setup and sign-in come before (requirePageUser).
 */
export default async function Home() {
  const user = await requirePageUser("/");
  const projects = await getQueryClient().fetchQuery(trpc.projects.list.queryOptions());
  const target = projects.find((p) => p.name === "demo") ?? projects[0];
  if (target) redirect(`/p/${encodeURIComponent(target.name)}/features`);
  // Instance administrators may create one (docs/adr/0014-instance-administrators.md).
  const me = await getQueryClient().fetchQuery(trpc.account.me.queryOptions());
  return (
    <main
      id="main"
      tabIndex={-1}
      className="flex min-h-screen focus:outline-none flex-col items-center justify-center bg-zinc-50 px-6"
    >
      <Logo className="mb-8" />
      <EmptyState
        className="w-full max-w-lg"
        icon={FolderPlus}
        title="You are not a member of any project"
        description={
          <>
            <p>
              Ask an owner of a project to add {user.email}. If you run this Quiver, load the demo project:
            </p>
            <pre className="mt-3 rounded-md bg-zinc-900 px-3 py-2 text-left font-mono text-xs text-zinc-100">
              npx quiver seed
            </pre>
            <p className="mt-3">Then reload this page.</p>
          </>
        }
        action={
          <>
            {me?.isAdmin && (
              <ButtonLink href="/admin/projects/new" variant="primary">
                New project
              </ButtonLink>
            )}
            <SignOutButton />
          </>
        }
      />
    </main>
  );
}
