"use client";

import { ArrowLeft } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { INSTANCE_LINKS } from "@/components/shell/account-menu";
import { LogoLink } from "@/components/shell/logo";
import { UserMenu } from "@/components/shell/user-menu";
import { cn } from "@/components/ui/cn";

/**
 * The Instance pages' left column: back to the projects, the Instance pages (listed for
 * administrators only), who is signed in. Content only: AppFrame shows it as a column or a drawer.
 */
export function AdminSidebar({ user, isAdmin }: { user: { email: string }; isAdmin: boolean }) {
  const pathname = usePathname();
  return (
    <>
      <div className="flex h-14 shrink-0 items-center px-4">
        <LogoLink href="/" />
      </div>
      <div className="px-3 pb-3">
        <Link
          href="/"
          className="flex h-9 items-center gap-2 rounded-md border border-zinc-200 bg-white px-2 text-sm text-zinc-700 shadow-xs hover:border-zinc-300"
        >
          <ArrowLeft className="size-4 text-zinc-400" aria-hidden />
          Back to projects
        </Link>
      </div>
      <nav className="flex-1 overflow-y-auto px-3 pb-4" aria-label="Instance">
        {isAdmin && (
          <>
            <div className="mt-1 px-2 pb-1 text-[11px] font-medium tracking-wide text-zinc-400 uppercase">
              Instance
            </div>
            <ul className="flex flex-col gap-px">
              {INSTANCE_LINKS.map(({ href, label, icon: Icon }) => {
                const active = pathname === href || pathname.startsWith(`${href}/`);
                return (
                  <li key={href}>
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
                      {label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </nav>
      <UserMenu email={user.email} />
    </>
  );
}
