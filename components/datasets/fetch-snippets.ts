import type { Dataset, DatasetRows } from "@/server/datasets/schemas";
import { type DownloadFormat, datasetHref } from "./links";

/**
 * The "Fetch the same data" examples of a dataset page, pure: a POST to
 * /api/v1/get-historical-features with the dataset's features (or service) and a few entity rows,
 * in curl, Python (requests) and TypeScript (fetch), and the download with an API key.
 */

export const SNIPPET_LANGUAGES = ["curl", "python", "typescript"] as const;
export type SnippetLanguage = (typeof SNIPPET_LANGUAGES)[number];

/** The environment variable the examples read the key from. */
export const KEY_VARIABLE = "QUIVER_API_KEY";

type Selection = Pick<Dataset, "features" | "featureService" | "fullFeatureNames">;

/** Entity rows in the API's columnar shape, from the first `n` rows of a preview (non-feature columns). */
export function exampleEntities(preview: Pick<DatasetRows, "columns" | "featureColumns" | "rows">, n = 3) {
  const features = new Set(preview.featureColumns);
  const rows = preview.rows.slice(0, n);
  const entities: Record<string, unknown[]> = {};
  preview.columns.forEach((column, i) => {
    if (features.has(column)) return;
    entities[column] = rows.map((row) => {
      const v = row[i];
      return v instanceof Date ? v.toISOString() : (v ?? null);
    });
  });
  return entities;
}

/** The body of the historical request, keys in the order the README shows them. */
export function historicalBody(project: string, selection: Selection, entities: Record<string, unknown[]>) {
  return {
    project,
    ...(selection.featureService
      ? { feature_service: selection.featureService }
      : { features: selection.features ?? [] }),
    full_feature_names: selection.fullFeatureNames,
    entities,
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isScalar = (v: unknown) => v === null || typeof v !== "object";

/**
 * Indented JSON (or a Python literal) with arrays of scalars kept on one line, so an entity column
 * reads as `"driver_id": [1001, 1002]`.
 */
function pretty(value: Json, scalar: (v: Json) => string, depth = 0): string {
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return `[${value.map(scalar).join(", ")}]`;
    return `[\n${value.map((v) => pad + pretty(v, scalar, depth + 1)).join(",\n")}\n${end}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pretty(v, scalar, depth + 1)}`);
    return `{\n${lines.join(",\n")}\n${end}}`;
  }
  return scalar(value);
}

const jsonScalar = (v: Json) => JSON.stringify(v);
const pythonScalar = (v: Json) =>
  v === null ? "None" : v === true ? "True" : v === false ? "False" : JSON.stringify(v);

/** Indents every line but the first by `spaces`. */
const indentRest = (text: string, spaces: number) => text.replaceAll("\n", `\n${" ".repeat(spaces)}`);

/** A string in POSIX single quotes. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export interface SnippetInput {
  /** The app's origin, e.g. "https://quiver.example.com". */
  origin: string;
  project: string;
  selection: Selection;
  entities: Record<string, unknown[]>;
}

/** A POST of `body` to `path` in one language, reading the key from KEY_VARIABLE. */
function postSnippet(
  language: SnippetLanguage,
  url: string,
  body: Json,
  opts: { timeout: number; print: { python: string; typescript: string } },
): string {
  switch (language) {
    case "curl":
      return [
        `curl -s ${url} \\`,
        `  -H "Authorization: Bearer $${KEY_VARIABLE}" \\`,
        `  -H 'content-type: application/json' \\`,
        `  -d ${shellQuote(pretty(body, jsonScalar))}`,
      ].join("\n");
    case "python":
      return [
        "import os",
        "",
        "import requests",
        "",
        `body = ${pretty(body, pythonScalar)}`,
        "resp = requests.post(",
        `    ${JSON.stringify(url)},`,
        `    headers={"Authorization": f"Bearer {os.environ['${KEY_VARIABLE}']}"},`,
        "    json=body,",
        `    timeout=${opts.timeout},`,
        ")",
        "resp.raise_for_status()",
        "data = resp.json()",
        opts.print.python,
      ].join("\n");
    case "typescript":
      return [
        `const res = await fetch(${JSON.stringify(url)}, {`,
        `  method: "POST",`,
        "  headers: {",
        `    Authorization: \`Bearer \${process.env.${KEY_VARIABLE}}\`,`,
        `    "content-type": "application/json",`,
        "  },",
        `  body: JSON.stringify(${indentRest(pretty(body, jsonScalar), 2)}),`,
        "});",
        // The generated TypeScript has a template literal of its own.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: see above.
        "if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);",
        "const data = await res.json();",
        opts.print.typescript,
      ].join("\n");
  }
}

/** The historical request in one language. */
export function historicalSnippet(language: SnippetLanguage, input: SnippetInput): string {
  const url = `${input.origin}/api/v1/get-historical-features`;
  const body = historicalBody(input.project, input.selection, input.entities) as Json;
  return postSnippet(language, url, body, {
    timeout: 60,
    print: {
      python: 'print(data["metadata"]["feature_names"], len(data["results"]))',
      typescript: "console.log(data.metadata.feature_names, data.results.length);",
    },
  });
}

/** What an online lookup asks for: "view:feature" references, or a feature service's name. */
export type OnlineSelection = { features: string[] } | { featureService: string };

/**
 * The body of Feast's get-online-features: features (or a service) and entity key columns, and
 * for on-demand features the request data (`request_context`, one value per entity row).
 */
export function onlineBody(
  project: string,
  selection: OnlineSelection,
  entities: Record<string, unknown[]>,
  requestContext?: Record<string, unknown[]>,
) {
  return {
    project,
    ...("featureService" in selection
      ? { feature_service: selection.featureService }
      : { features: selection.features }),
    entities,
    ...(requestContext && Object.keys(requestContext).length > 0 ? { request_context: requestContext } : {}),
  };
}

/** The online lookup (POST /api/v1/get-online-features) in one language. */
export function onlineSnippet(
  language: SnippetLanguage,
  input: {
    origin: string;
    project: string;
    selection: OnlineSelection;
    entities: Record<string, unknown[]>;
    requestContext?: Record<string, unknown[]>;
  },
): string {
  const url = `${input.origin}/api/v1/get-online-features`;
  const body = onlineBody(input.project, input.selection, input.entities, input.requestContext) as Json;
  return postSnippet(language, url, body, {
    timeout: 10,
    print: {
      python: [
        'names = data["metadata"]["feature_names"]',
        'for name, column in zip(names, data["results"]):',
        '    print(name, column["values"], column["statuses"])',
      ].join("\n"),
      typescript: [
        "data.metadata.feature_names.forEach((name: string, i: number) =>",
        "  console.log(name, data.results[i].values, data.results[i].statuses),",
        ");",
      ].join("\n"),
    },
  });
}

/**
 * Example key values for an entity of `valueType` when no real rows can be shown (the caller may
 * not read values): plausible, and said to be examples where they are shown.
 */
export function placeholderKeys(valueType: string, n = 2): unknown[] {
  return Array.from({ length: n }, (_, i) =>
    valueType === "string" ? `key_${i + 1}` : valueType === "bytes" ? btoaSafe(`key_${i + 1}`) : 1001 + i,
  );
}

const btoaSafe = (s: string) => (typeof btoa === "function" ? btoa(s) : Buffer.from(s).toString("base64"));

/** The whole dataset as a file, with an API key instead of the session cookie. */
export function downloadSnippet(
  origin: string,
  project: string,
  name: string,
  format: DownloadFormat = "csv",
): string {
  return [
    `curl -sf -H "Authorization: Bearer $${KEY_VARIABLE}" \\`,
    `  -o ${name}.${format} \\`,
    `  ${shellQuote(origin + datasetHref.download(project, name, format))}`,
  ].join("\n");
}
