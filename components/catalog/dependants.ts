import type { ObjectKind } from "./links";

/** One object named in a refused delete: its kind (null when it has no page, e.g. a run) and name. */
export interface NamedDependant {
  kind: ObjectKind | null;
  /** The words the server used: "feature view", "active materialization run". */
  words: string;
  name: string;
  /** It names the deleted object as its replacement (a deprecated object of the same kind). */
  replacement: boolean;
}

const KINDS: Record<string, ObjectKind | null> = {
  "feature view": "view",
  "feature service": "service",
  consumer: "consumer",
  "saved dataset": "dataset",
  "active materialization run": null,
  entity: "entity",
  "data source": "source",
};

/** The server's kinds (`<kind>.dependants`) in the words its 409 uses. */
const SERVER_WORDS: Record<string, string> = {
  feature_view: "feature view",
  feature_service: "feature service",
  consumer: "consumer",
  dataset: "saved dataset",
  materialization_run: "active materialization run",
  entity: "entity",
  data_source: "data source",
};

/** The dependants `<kind>.dependants` lists, shown before a delete is tried. */
export function namedDependants(rows: { kind: string; name: string; relation: string }[]): NamedDependant[] {
  return rows.map((d) => {
    const words = SERVER_WORDS[d.kind] ?? d.kind.replaceAll("_", " ");
    return { kind: KINDS[words] ?? null, words, name: d.name, replacement: d.relation === "replaced by" };
  });
}

const NAMED = new RegExp(
  `(deprecated )?(${Object.keys(KINDS).join("|")}) "([^"]+)"( \\(names it as its replacement\\))?`,
  "g",
);

/**
 * The dependants a 409 from `<kind>.delete` names, in its order: 'entity "driver" cannot be
 * deleted: feature view "a", feature service "b" depend on it; ...'. The deleted object itself
 * (before "cannot be deleted") is not one of them.
 */
export function dependantsOf(message: string): NamedDependant[] {
  const at = message.indexOf("cannot be deleted:");
  if (at < 0) return [];
  const list = message.slice(at);
  return [...list.matchAll(NAMED)].map((m) => ({
    kind: KINDS[m[2] ?? ""] ?? null,
    words: m[2] ?? "",
    name: m[3] ?? "",
    replacement: !!m[1] || !!m[4],
  }));
}
