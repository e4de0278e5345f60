import { ACTIONS, type Action, isRole, ROLES, type Role } from "@/server/auth/roles";

/**
 * Roles and actions in plain words, for the messages a person reads when a role cannot do
 * something: "Editors, operators and owners can register entities; you are a viewer in this
 * project." Never the permission's internal name ("definitions.write").
 */

const PLURAL: Record<Role, string> = {
  viewer: "viewers",
  consumer: "consumers",
  editor: "editors",
  operator: "operators",
  owner: "owners",
};

/** What each action lets a person do, as a verb phrase. */
const DOING: Record<Action, string> = {
  "definitions.read": "see this project's definitions",
  "values.read": "read feature values",
  "definitions.write": "create, change and delete definitions",
  "jobs.run": "run materialization jobs",
  "values.write": "push feature values",
  "members.manage": "manage members",
  "keys.manage": "manage API keys",
  "audit.read": "read the audit log",
  "offline.manage": "manage offline access",
  "alerts.manage": "set up alert webhooks",
};

/** The roles that may do `action`, lowest first: "Editors, operators and owners". */
export function rolesAllowedWords(action: Action): string {
  const allowed = ROLES.slice(ROLES.indexOf(ACTIONS[action])).map((r) => PLURAL[r]);
  const words =
    allowed.length <= 1
      ? (allowed[0] ?? "")
      : `${allowed.slice(0, -1).join(", ")} and ${allowed[allowed.length - 1]}`;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const article = (role: string) => (/^[aeiou]/.test(role) ? "an" : "a");

/**
 * Why a control is not offered: "Editors, operators and owners can register entities; you are a
 * viewer in this project." `doing` defaults to the action's own words.
 */
export function refusalWords(action: Action, role: Role, doing: string = DOING[action]): string {
  return `${rolesAllowedWords(action)} can ${doing}; you are ${article(role)} ${role} in this project.`;
}

const FORBIDDEN = /^([a-z]+\.[a-z]+) in project "[^"]*" needs the [a-z]+ role; you are ([a-z]+)$/;

/**
 * The server's refusal (`definitions.write in project "demo" needs the editor role; you are
 * viewer`) in plain words; null when the message is not one of those.
 */
export function plainForbidden(message: string): string | null {
  const m = FORBIDDEN.exec(message);
  if (!m) return null;
  const [, action, role] = m;
  if (!action || !(action in ACTIONS) || !isRole(role)) return null;
  return refusalWords(action as Action, role);
}
