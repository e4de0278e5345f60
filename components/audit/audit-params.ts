/**
 * The audit pages' URL contract, shared by the server pages (to prefetch) and the client lists:
 * `?action=entity.create&actor=ann&type=entity&object=driver&from=2026-01-01&to=2026-01-31` filter
 * a project's log; the instance log (/admin/audit) adds `project=demo` or `scope=instance`.
 * Days are UTC: `from` starts at its midnight, `to` ends at its last millisecond.
 */

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
  action?: string;
  actor?: string;
  type?: string;
  object?: string;
  from?: string;
  to?: string;
}

export interface InstanceAuditFilters extends AuditFilters {
  project?: string;
  /** "instance": only the entries of no project (sign-ins, accounts, administrators). */
  scope?: "instance";
}

const TEXT_KEYS = ["action", "actor", "type", "object"] as const;
const DAY_KEYS = ["from", "to"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PROJECT = /^[a-z][a-z0-9_]{0,62}$/;

type Params = Pick<URLSearchParams, "get">;

export function readAuditFilters(params: Params): AuditFilters {
  const out: AuditFilters = {};
  for (const k of TEXT_KEYS) {
    const v = params.get(k)?.trim().slice(0, 200);
    if (v) out[k] = v;
  }
  for (const k of DAY_KEYS) {
    const v = params.get(k)?.trim();
    if (v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))) out[k] = v;
  }
  return out;
}

export function readInstanceAuditFilters(params: Params): InstanceAuditFilters {
  const out: InstanceAuditFilters = readAuditFilters(params);
  if (params.get("scope") === "instance") out.scope = "instance";
  else {
    const p = params.get("project")?.trim();
    if (p && PROJECT.test(p)) out.project = p;
  }
  return out;
}

/** The filter terms of an audit service's input; server and client build them the same way. */
function filterInput(f: AuditFilters) {
  return {
    limit: AUDIT_PAGE_SIZE,
    ...(f.action && { action: f.action }),
    ...(f.actor && { actorName: f.actor }),
    ...(f.type && { objectType: f.type }),
    ...(f.object && { objectName: f.object }),
    ...(f.from && { from: new Date(`${f.from}T00:00:00.000Z`) }),
    ...(f.to && { to: new Date(`${f.to}T23:59:59.999Z`) }),
  };
}

/** The audit.list input (without cursor) for some filters. */
export function auditInput(project: string, f: AuditFilters) {
  return { project, ...filterInput(f) };
}

/** The admin.audit input (without cursor) for some filters. */
export function instanceAuditInput(f: InstanceAuditFilters) {
  return {
    ...filterInput(f),
    ...(f.scope === "instance" ? { instanceOnly: true } : f.project ? { project: f.project } : {}),
  };
}

function withQuery(base: string, f: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  return q.size ? `${base}?${q}` : base;
}

export function auditHref(project: string, f: AuditFilters = {}): string {
  return withQuery(`/p/${encodeURIComponent(project)}/audit`, { ...f });
}

export const INSTANCE_AUDIT_PATH = "/admin/audit";

export function instanceAuditHref(f: InstanceAuditFilters = {}): string {
  return withQuery(INSTANCE_AUDIT_PATH, { ...f });
}

/** Infinite-query paging: the next page starts after the last entry shown (keyset by id). */
export const auditPaging = {
  getNextPageParam: (page: { nextCursor: number | null }) => page.nextCursor,
};
