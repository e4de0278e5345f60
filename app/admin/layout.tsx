import type { ReactNode } from "react";
import { AdminSidebar } from "@/components/admin/admin-sidebar";
import { AdminsOnly } from "@/components/admin/admins-only";
import { AppFrame } from "@/components/shell/app-frame";
import { LogoLink } from "@/components/shell/logo";
import { requirePageUser } from "@/server/web/page-access";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";

export const dynamic = "force-dynamic";

/**
 * The Instance pages (docs/adr/0014-instance-administrators.md): for instance administrators;
 * anyone else signed in sees why not. Only a convenience: the services check every call.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("/admin");
  const me = await getQueryClient().fetchQuery(trpc.account.me.queryOptions());
  return (
    <HydrateClient>
      <AppFrame
        sidebar={<AdminSidebar user={user} isAdmin={me?.isAdmin === true} />}
        brand={<LogoLink href="/" />}
      >
        {me?.isAdmin ? children : <AdminsOnly title="Instance" />}
      </AppFrame>
    </HydrateClient>
  );
}
