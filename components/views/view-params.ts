/**
 * URL contract of the feature view page, shared by the server page and the client view:
 * `?version=N` shows a past version, `?from=A&to=B` opens the diff of two versions.
 */

type Params = Pick<URLSearchParams, "get">;

export interface ViewPageState {
  version: number | undefined;
  compare: { from: number; to: number } | undefined;
}

function positiveInt(s: string | null): number | undefined {
  if (!s || !/^\d{1,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n > 0 ? n : undefined;
}

export function readViewState(params: Params): ViewPageState {
  const from = positiveInt(params.get("from"));
  const to = positiveInt(params.get("to"));
  return { version: positiveInt(params.get("version")), compare: from && to ? { from, to } : undefined };
}

export function viewInput(project: string, name: string, version: number | undefined) {
  return version ? { project, name, version } : { project, name };
}

export function viewQueryString(s: ViewPageState): string {
  const p = new URLSearchParams();
  if (s.version) p.set("version", String(s.version));
  if (s.compare) {
    p.set("from", String(s.compare.from));
    p.set("to", String(s.compare.to));
  }
  const str = p.toString();
  return str ? `?${str}` : "";
}
