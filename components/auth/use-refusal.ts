"use client";

import { refusalWords } from "@/components/forms/role-words";
import type { Action } from "@/server/auth/roles";
import { useProjectRole } from "./use-project-role";

/**
 * Why the caller's role cannot do `action` in plain words ("Editors, operators and owners can
 * register entities; you are a viewer in this project."), null when it can, undefined while the
 * role loads. `doing` is what the control does, as a verb phrase.
 */
export function useRefusal(project: string, action: Action, doing?: string): string | null | undefined {
  const { role, can } = useProjectRole(project);
  if (role === undefined) return undefined;
  return can(action) ? null : refusalWords(action, role ?? "viewer", doing);
}
