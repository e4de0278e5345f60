import { ROLES, type Role } from "../core/vocabulary";

/**
 * Project roles and the actions they allow. Each role includes everything of the roles before it.
 * Pure (imports only the vocabulary, where the role list lives): the UI reads it too (to hide what
 * a role cannot do).
 */
export { ROLES, type Role };

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
  /**
   * Set up alert webhooks: their URLs are credentials (a Slack or Teams URL is its own token) and
   * they make Quiver send requests to a host of the caller's choice.
   */
  "alerts.manage": "owner",
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
