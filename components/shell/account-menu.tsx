"use client";

import { useQuery } from "@tanstack/react-query";
import { ChevronsUpDown, CircleCheck, CircleX, ClipboardList, FolderPlus, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { errorMessage } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/** Where an administrator finds the Instance pages (app/admin). */
export const INSTANCE_LINKS = [
  { href: "/admin/audit", label: "Instance audit log", icon: ClipboardList },
  { href: "/admin/projects/new", label: "New project", icon: FolderPlus },
] as const;

/**
 * Who is signed in, as a button opening the account menu: the person's recent sign-ins (theirs and
 * failed attempts on their email, with the address they came from) and, for instance
 * administrators, the Instance pages. Loaded when opened; closes on Escape or a click outside.
 */
export function AccountMenu({ email }: { email: string }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    const onPointer = (e: PointerEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <div ref={root} className="min-w-0 flex-1">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label="Account menu"
        onClick={() => setOpen((o) => !o)}
        className="flex w-full min-w-0 items-center gap-2 rounded-md px-1 py-0.5 text-left hover:bg-zinc-200/60 focus-visible:outline-2 focus-visible:outline-indigo-500"
      >
        <span
          className="flex size-6 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-[11px] font-semibold text-zinc-700 uppercase"
          aria-hidden
        >
          {email.slice(0, 1)}
        </span>
        <span
          className="min-w-0 flex-1 truncate text-xs text-zinc-600"
          title={email}
          data-testid="signed-in-as"
        >
          {email}
        </span>
        <ChevronsUpDown className="size-3.5 shrink-0 text-zinc-400" aria-hidden />
      </button>
      {open && (
        <div
          id={panelId}
          role="dialog"
          aria-label="Account"
          className="absolute bottom-full left-2 z-50 mb-2 w-80 max-w-[calc(100vw-1rem)] rounded-lg border border-zinc-200 bg-white shadow-lg"
        >
          <AccountPanel email={email} onNavigate={() => setOpen(false)} />
        </div>
      )}
    </div>
  );
}

function AccountPanel({ email, onNavigate }: { email: string; onNavigate: () => void }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  return (
    <>
      <div className="border-b border-zinc-100 px-4 py-3">
        <div className="truncate text-sm font-medium text-zinc-900">{me.data?.name ?? email}</div>
        <div className="flex items-center gap-2">
          <span className="truncate text-xs text-zinc-500">{email}</span>
          {me.data?.isAdmin && (
            <Badge tone="indigo" className="shrink-0">
              <ShieldCheck className="size-3" aria-hidden />
              admin
            </Badge>
          )}
        </div>
      </div>
      {me.data?.isAdmin && (
        <nav aria-label="Instance" className="border-b border-zinc-100 px-2 py-2">
          <div className="px-2 pb-1 text-[11px] font-medium tracking-wide text-zinc-400 uppercase">
            Instance
          </div>
          <ul className="flex flex-col gap-px">
            {INSTANCE_LINKS.map(({ href, label, icon: Icon }) => (
              <li key={href}>
                <Link
                  href={href}
                  onClick={onNavigate}
                  className="flex h-8 items-center gap-2.5 rounded-md px-2 text-sm text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900"
                >
                  <Icon className="size-4 text-zinc-400" aria-hidden />
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <RecentSignIns />
    </>
  );
}

function RecentSignIns() {
  const trpc = useTRPC();
  const signIns = useQuery(trpc.account.signIns.queryOptions());
  return (
    <section aria-label="Recent sign-ins" className="px-4 py-3">
      <h2 className="mb-2 text-[11px] font-medium tracking-wide text-zinc-400 uppercase">Recent sign-ins</h2>
      {signIns.isPending ? (
        <div className="flex flex-col gap-2" aria-busy="true">
          <Skeleton className="h-4 w-full" />
          <Skeleton className="h-4 w-5/6" />
          <Skeleton className="h-4 w-4/6" />
        </div>
      ) : signIns.isError ? (
        <div role="alert" className="text-xs text-red-700">
          <p>Could not load your sign-ins: {errorMessage(signIns.error)}</p>
          <Button size="sm" className="mt-2" onClick={() => signIns.refetch()}>
            Try again
          </Button>
        </div>
      ) : signIns.data.length === 0 ? (
        <p className="text-xs text-zinc-500">No sign-ins recorded yet.</p>
      ) : (
        <ul className="flex flex-col gap-1.5" data-testid="recent-sign-ins">
          {signIns.data.map((s) => (
            <li key={s.id} className="flex items-center gap-2 text-xs" data-testid="sign-in">
              {s.outcome === "success" ? (
                <CircleCheck className="size-3.5 shrink-0 text-emerald-600" aria-hidden />
              ) : (
                <CircleX className="size-3.5 shrink-0 text-red-600" aria-hidden />
              )}
              <span
                className={cn("w-24 shrink-0", s.outcome === "failed" ? "text-red-700" : "text-zinc-700")}
              >
                {s.outcome === "success" ? "Signed in" : "Failed attempt"}
              </span>
              <RelativeTime date={s.at} className="w-20 shrink-0 text-zinc-500 tabular-nums" />
              <span
                className="min-w-0 truncate font-mono text-[11px] text-zinc-500"
                title={s.ip ?? undefined}
              >
                {s.ip ?? "address not recorded"}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
