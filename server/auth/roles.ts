/**
 * Project roles and the actions they allow. Each role includes everything of the roles before it.
 * Plain TypeScript with no imports: the UI reads it too (to hide what a role cannot do).
 */
export const ROLES = ["viewer", "consumer", "editor", "operator", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  /** See definitions: entities, sources, views, services, consumers, lineage, search, runs, freshness. */
  "definitions.read": "viewer",
  /** Read feature values: online retrieval, offline values. */
  "values.read": "consumer",
  /** Create, change and delete definitions. */
  "definitions.write": "editor",
  /** Start and cancel materialization jobs; push values into the stores. */
  "jobs.run": "operator",
  "values.write": "operator",
  /** Manage members and API keys; read the audit log. */
  "members.manage": "owner",
  "keys.manage": "owner",
  "audit.read": "owner",
  /** Grant and revoke the project's read access to shared offline schemas. */
  "offline.manage": "owner",
} as const satisfies Record<string, Role>;
export type Action = keyof typeof ACTIONS;

export function roleAllows(role: Role, action: Action): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTIONS[action]);
}

export function isRole(x: unknown): x is Role {
  return typeof x === "string" && (ROLES as readonly string[]).includes(x);
}
