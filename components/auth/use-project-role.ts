"use client";

import { useQuery } from "@tanstack/react-query";
import { type Action, type Role, roleAllows } from "@/server/auth/roles";
import { useTRPC } from "@/trpc/client";

export interface ProjectRole {
  /** The caller's role; null for Quiver itself and the local CLI (trusted), undefined while loading. */
  role: Role | null | undefined;
  /** Whether to offer `action`. Only hides buttons: the server refuses what the role cannot do anyway. */
  can: (action: Action) => boolean;
}

/**
 * The caller's role in `project`, read from projects.list (the project layout prefetches it, so
 * this has data on first render). While unknown, nothing is offered, so no button flickers away.
 */
export function useProjectRole(project: string): ProjectRole {
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const row = projects.data?.find((p) => p.name === project);
  const role = row ? row.role : undefined;
  return {
    role,
    can: (action) => role === null || (role !== undefined && roleAllows(role, action)),
  };
}
