"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import { ROLES } from "@/server/auth/roles";
import { useTRPC } from "@/trpc/client";
import { CommandPalette } from "./command-palette";
import { LogoLink } from "./logo";
import { NAV_GROUPS, type NavItem } from "./nav-items";
import { ProjectSwitcher } from "./project-switcher";
import { UserMenu } from "./user-menu";

/**
 * The app's left column: logo, project switcher, the project's sections, and who is signed in.
 * Content only: AppFrame shows it as a column (md and up) or in the phone drawer.
 */
export function Sidebar({ project, user }: { project: string; user: { email: string } }) {
  const pathname = usePathname();
  const base = `/p/${encodeURIComponent(project)}`;
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const role = projects.data?.find((p) => p.name === project)?.role;
  // Unknown role (still loading): hide role-gated items rather than flash them.
  const visible = (item: NavItem) =>
    !item.minRole ||
    (role !== undefined && (role === null || ROLES.indexOf(role) >= ROLES.indexOf(item.minRole)));
  const groups = NAV_GROUPS.map((g) => ({ ...g, items: g.items.filter(visible) })).filter(
    (g) => g.items.length,
  );
  return (
    <>
      <div className="flex h-14 shrink-0 items-center px-4">
        <LogoLink href={`${base}/features`} />
      </div>
      <div className="px-3 pb-3">
        <ProjectSwitcher project={project} />
        <div className="mt-2">
          <CommandPalette project={project} />
        </div>
      </div>
      <nav className="flex-1 overflow-y-auto px-3 pb-4" aria-label="Sections">
        {groups.map((group) => (
          <div key={group.label} className="mt-4 first:mt-1">
            <div className="px-2 pb-1 text-[11px] font-medium tracking-wide text-zinc-400 uppercase">
              {group.label}
            </div>
            <ul className="flex flex-col gap-px">
              {group.items.map((item) => {
                const href = `${base}/${item.segment}`;
                const active = pathname === href || pathname.startsWith(`${href}/`);
                const Icon = item.icon;
                return (
                  <li key={item.segment}>
                    <Link
                      href={href}
                      aria-current={active ? "page" : undefined}
                      className={cn(
                        "flex h-8 items-center gap-2.5 rounded-md px-2 text-sm transition-colors",
                        active
                          ? "bg-white font-medium text-zinc-900 shadow-xs ring-1 ring-zinc-200"
                          : "text-zinc-600 hover:bg-zinc-200/50 hover:text-zinc-900",
                      )}
                    >
                      <Icon
                        className={cn("size-4", active ? "text-indigo-600" : "text-zinc-400")}
                        aria-hidden
                      />
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        ))}
      </nav>
      <UserMenu email={user.email} />
    </>
  );
}
