/**
 * The audit page's URL contract, shared by the server page (to prefetch) and the client list:
 * `?action=entity.create&actor=ann&type=entity&object=driver` filter the log.
 */

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
  action?: string;
  actor?: string;
  type?: string;
  object?: string;
}

const KEYS = ["action", "actor", "type", "object"] as const;

export function readAuditFilters(params: Pick<URLSearchParams, "get">): AuditFilters {
  const out: AuditFilters = {};
  for (const k of KEYS) {
    const v = params.get(k)?.trim().slice(0, 200);
    if (v) out[k] = v;
  }
  return out;
}

/** The audit.list input (without cursor) for some filters; server and client build it the same way. */
export function auditInput(project: string, f: AuditFilters) {
  return {
    project,
    limit: AUDIT_PAGE_SIZE,
    ...(f.action && { action: f.action }),
    ...(f.actor && { actorName: f.actor }),
    ...(f.type && { objectType: f.type }),
    ...(f.object && { objectName: f.object }),
  };
}

export function auditHref(project: string, f: AuditFilters = {}): string {
  const q = new URLSearchParams();
  for (const k of KEYS) {
    const v = f[k];
    if (v) q.set(k, v);
  }
  const base = `/p/${encodeURIComponent(project)}/audit`;
  return q.size ? `${base}?${q}` : base;
}

/** Infinite-query paging: the next page starts after the last entry shown (keyset by id). */
export const auditPaging = {
  getNextPageParam: (page: { nextCursor: number | null }) => page.nextCursor,
};
