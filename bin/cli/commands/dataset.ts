import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Ctx } from "../../../server/core/context";
import {
  createDataset,
  downloadDataset,
  getDataset,
  listDatasets,
  uploadEntities,
} from "../../../server/datasets";
import type { Dataset, EntitySourceInput } from "../../../server/datasets/schemas";
import { env } from "../../../server/env";
import { parseCommandArgs, parseList, parseTimestamp, UsageError } from "../args";
import { log } from "../log";
import { type Session, withSession } from "../session";

export const DATASET_USAGE = `  dataset create NAME (--entities rows.csv|rows.parquet | --query "SELECT ..." |
        --grid VIEW --start T --end T --step 1h) (--features v:f,... | --service s)
        [--full-feature-names] [--storage table|parquet] [--wait] [--project p]
                                   save a dataset: point-in-time training rows built by a job and
                                   kept as a table in the project's offline schema or a Parquet file;
                                   --wait follows the build to its end
  dataset list [--project p]       the project's datasets, their status and progress
  dataset download NAME --out rows.csv|rows.parquet [--project p]
                                   a ready dataset's rows, streamed to a file`;

/**
 * `quiver dataset create|list|download`: the saved-dataset operations (server/datasets), the
 * same the API and the Datasets pages call. An entity file is uploaded first (datasets.upload).
 */
export async function datasetCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: [
      "project",
      "entities",
      "query",
      "grid",
      "start",
      "end",
      "step",
      "features",
      "service",
      "storage",
      "out",
    ],
    booleans: ["wait", "full-feature-names"],
    positionals: [1, 2],
    names: "create|list|download NAME",
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  const [verb, name] = positionals;
  switch (verb) {
    case "create":
      return create(project, requiredName(name), values);
    case "list":
      if (name !== undefined) throw new UsageError(`unexpected argument "${name}"`);
      return withSession(async (s) => {
        const { items } = await listDatasets({ ctx: s.ctx, input: { project } });
        if (items.length === 0) log(`no datasets in project ${project}`);
        for (const d of items) console.log(summaryOf(d));
        return 0;
      });
    case "download":
      return download(project, requiredName(name), values.out);
    default:
      throw new UsageError(`unknown dataset command "${verb}" (create, list or download)`);
  }
}

function requiredName(name: string | undefined): string {
  if (!name) throw new UsageError("missing NAME");
  return name;
}

type Values = Record<string, string | boolean | undefined>;

function text(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === "string" ? v : undefined;
}

async function create(project: string, name: string, values: Values): Promise<number> {
  const features = parseList(values.features, "--features");
  const service = text(values, "service");
  if (!features === !service) throw new UsageError("give --features or --service (one of them)");
  const sources = ["entities", "query", "grid"].filter((k) => values[k] !== undefined);
  if (sources.length !== 1)
    throw new UsageError("give one entity source: --entities FILE, --query SQL or --grid VIEW");
  const storage = text(values, "storage") ?? "table";
  if (storage !== "table" && storage !== "parquet")
    throw new UsageError("--storage must be table or parquet");
  const kept: "table" | "parquet" = storage;
  const entityFile = text(values, "entities");
  if (entityFile !== undefined && !/\.(csv|parquet)$/i.test(entityFile))
    throw new UsageError("--entities must be a .csv or .parquet file");
  const grid = text(values, "grid");
  const gridSource: EntitySourceInput | undefined =
    grid === undefined
      ? undefined
      : {
          kind: "grid",
          view: grid,
          start: instant(values, "start"),
          end: instant(values, "end"),
          stepSeconds: parseStep(text(values, "step")),
        };
  const bytes = entityFile === undefined ? undefined : readFile(entityFile);

  return withSession(async (s) => {
    let entitySource: EntitySourceInput;
    if (entityFile !== undefined && bytes !== undefined) {
      const format = entityFile.toLowerCase().endsWith(".csv") ? "csv" : "parquet";
      const fileName = path.basename(entityFile).slice(0, 256);
      const up = await uploadEntities({
        ctx: s.ctx,
        input: { project, fileName, format, contentBase64: bytes.toString("base64") },
      });
      log(`uploaded ${fileName}: ${up.rows} entity rows`);
      entitySource = { kind: "upload", path: up.path, format, fileName };
    } else if (gridSource) entitySource = gridSource;
    else entitySource = { kind: "query", sql: text(values, "query") ?? "" };

    const created = await createDataset({
      ctx: s.ctx,
      input: {
        project,
        name,
        selection: {
          ...(features ? { features } : { featureService: service }),
          fullFeatureNames: values["full-feature-names"] === true,
        },
        entitySource,
        storage: kept,
      },
    });
    log(`dataset "${created.name}" queued (id ${created.id})`);
    if (values.wait !== true) return 0;
    return follow(s, project, name);
  });
}

function instant(values: Values, key: "start" | "end"): string {
  const v = text(values, key);
  if (v === undefined) throw new UsageError(`--grid needs --${key}`);
  return parseTimestamp(v, `--${key}`).toISOString();
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `--step 1h` (s, m, h, d) or plain seconds. */
export function parseStep(value: string | undefined): number {
  if (value === undefined) throw new UsageError("--grid needs --step (e.g. 1h, 30m, 1d)");
  const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  const seconds = m ? Number(m[1]) * (UNITS[m[2] || "s"] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1)
    throw new UsageError(`--step: "${value}" is not a step like 15m, 1h or 1d`);
  return seconds;
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Follows a build on its row (the worker runs in this process when no app or worker serves it). */
async function follow(s: Session, project: string, name: string): Promise<number> {
  await s.ensureWorker();
  let last = "";
  for (;;) {
    const d = await getDataset({ ctx: s.ctx, input: { project, name } });
    const line = summaryOf(d);
    if (line !== last) log(line);
    last = line;
    if (d.status === "ready") return 0;
    if (d.status === "failed" || d.status === "cancelled") return 1;
    await sleep(500);
  }
}

function summaryOf(d: Dataset): string {
  const progress = d.rowsTotal === null ? `${d.rowsDone} rows` : `${d.rowsDone}/${d.rowsTotal} rows`;
  return [
    d.name,
    d.status,
    progress,
    d.storageKind,
    d.sizeBytes === null ? "" : `${d.sizeBytes} bytes`,
    `created ${d.createdAt.toISOString()}`,
    d.error ?? "",
  ]
    .filter(Boolean)
    .join("  ");
}

async function download(project: string, name: string, out: string | boolean | undefined): Promise<number> {
  if (typeof out !== "string") throw new UsageError("--out <file.csv|file.parquet> is required");
  const format = out.toLowerCase().endsWith(".csv")
    ? "csv"
    : out.toLowerCase().endsWith(".parquet")
      ? "parquet"
      : undefined;
  if (!format) throw new UsageError("--out must end in .csv or .parquet");
  return withSession(async (s) => {
    await save(s.ctx, { project, name, format }, out);
    log(`wrote dataset "${name}" to ${out}`);
    return 0;
  });
}

/** Streams the download to `out` (a partial file is removed when it fails). */
async function save(
  ctx: Ctx,
  input: { project: string; name: string; format: "csv" | "parquet" },
  out: string,
) {
  const d = await downloadDataset({ ctx, input });
  try {
    await pipeline(Readable.fromWeb(d.body as never), fs.createWriteStream(out));
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  }
}
