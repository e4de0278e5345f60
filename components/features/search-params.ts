import type { SearchFeaturesInput } from "@/server/registry/search";

/**
 * The feature search's URL contract, shared by the server page (to prefetch) and the client
 * component (to read the same query): `?q=&tag=team:drivers&tag=…&owner=&entity=&view=&page=`.
 */

export const PAGE_SIZE = 50;
/** The service refuses offsets past 100,000. */
const MAX_PAGE = Math.floor(100_000 / PAGE_SIZE) + 1;

export interface SearchState {
  q: string;
  tags: string[];
  owner: string;
  entity: string;
  view: string;
  /** 1-based. */
  page: number;
}

type Params = Pick<URLSearchParams, "get" | "getAll">;

export function readSearchState(params: Params): SearchState {
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    q: params.get("q") ?? "",
    tags: [...new Set(params.getAll("tag").filter(Boolean))],
    owner: params.get("owner") ?? "",
    entity: params.get("entity") ?? "",
    view: params.get("view") ?? "",
    page: Number.isFinite(page) ? Math.min(Math.max(page, 1), MAX_PAGE) : 1,
  };
}

/** The query string for a state, without empty params and without page=1. */
export function searchQueryString(s: SearchState): string {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  for (const t of s.tags) p.append("tag", t);
  if (s.owner) p.set("owner", s.owner);
  if (s.entity) p.set("entity", s.entity);
  if (s.view) p.set("view", s.view);
  if (s.page > 1) p.set("page", String(s.page));
  const str = p.toString();
  return str ? `?${str}` : "";
}

/** The search.features input for a state; server and client must build it the same way. */
export function searchInput(project: string, s: SearchState): SearchFeaturesInput {
  return {
    project,
    q: s.q.trim(),
    tags: s.tags,
    ...(s.owner ? { owner: s.owner } : {}),
    ...(s.entity ? { entity: s.entity } : {}),
    ...(s.view ? { view: s.view } : {}),
    limit: PAGE_SIZE,
    offset: (s.page - 1) * PAGE_SIZE,
  };
}

export function hasFilters(s: SearchState): boolean {
  return !!(s.q || s.tags.length || s.owner || s.entity || s.view);
}
