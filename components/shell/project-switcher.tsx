"use client";

import { useQuery } from "@tanstack/react-query";
import { ChevronsUpDown } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useTRPC } from "@/trpc/client";

/**
 * The current project as a button-like box; a transparent native select on top does the choosing,
 * so keyboard and screen readers get the platform control. Switching keeps the current section.
 */
export function ProjectSwitcher({ project }: { project: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const { data: projects = [] } = useQuery(trpc.projects.list.queryOptions());

  function switchTo(name: string) {
    const section = pathname.split("/")[3] ?? "features";
    router.push(`/p/${encodeURIComponent(name)}/${section}`);
  }

  return (
    <div className="relative flex h-9 items-center gap-2 rounded-md border border-zinc-200 bg-white px-2 shadow-xs focus-within:outline-2 focus-within:outline-indigo-500 hover:border-zinc-300">
      <span className="flex size-5 shrink-0 items-center justify-center rounded bg-indigo-100 text-[11px] font-semibold text-indigo-700 uppercase">
        {project.slice(0, 1)}
      </span>
      <span className="min-w-0 flex-1 truncate text-sm font-medium text-zinc-800" title={project}>
        {project}
      </span>
      <ChevronsUpDown className="size-4 shrink-0 text-zinc-400" aria-hidden />
      <select
        aria-label="Project"
        value={project}
        onChange={(e) => switchTo(e.target.value)}
        className="absolute inset-0 cursor-pointer opacity-0"
      >
        {projects.length === 0 && <option value={project}>{project}</option>}
        {projects.map((p) => (
          <option key={p.id} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}
