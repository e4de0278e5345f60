import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse/sync";
import { env } from "../../../server/env";
import { getHistoricalFeatures } from "../../../server/serving";
import { historicalTable } from "../../../server/serving/get-historical-features";
import { toArrowStream } from "../../../server/serving/tabular/arrow";
import { toCsvStream } from "../../../server/serving/tabular/csv";
import { writeParquetFile } from "../../../server/serving/tabular/parquet";
import { parseCommandArgs, parseList, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/**
 * `quiver get-historical-features --entities rows.csv (--features v:f,... | --service s)
 *  [--out file.csv|.json|.parquet|.arrow] [--project p] [--full-feature-names]`: point-in-time
 * correct training rows for the entity rows of a CSV file (a header with the join keys and
 * event_timestamp), the same operation as POST /api/v1/get-historical-features. CSV to stdout
 * unless --out says otherwise; .parquet and .arrow (or .arrows: an Arrow IPC stream) are written
 * by the API's writers (server/serving/tabular), typed by the views' types.
 */
export async function historicalCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    strings: ["entities", "features", "service", "out", "project"],
    booleans: ["full-feature-names"],
    positionals: [0, 0],
    names: "",
  });
  const file = values.entities;
  if (typeof file !== "string") throw new UsageError("--entities <file.csv> is required");
  const features = parseList(values.features, "--features");
  const service = typeof values.service === "string" ? values.service : undefined;
  if (!features === !service) throw new UsageError("give --features or --service (one of them)");
  const out = typeof values.out === "string" ? values.out : undefined;
  const kind = out ? /\.(csv|json|parquet|arrows?)$/.exec(out)?.[1] : "csv";
  if (!kind) throw new UsageError("--out must end in .csv, .json, .parquet or .arrow");
  const format = kind === "parquet" ? "parquet" : kind.startsWith("arrow") ? "arrow" : undefined;
  const entities = readEntityCsv(file);

  return withSession(async (s) => {
    const answer = await getHistoricalFeatures({
      ctx: s.ctx,
      input: {
        project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
        ...(features ? { features } : { feature_service: service }),
        entities,
        full_feature_names: values["full-feature-names"] === true,
        // Typed formats refuse values that do not fit their column before anything is written.
        ...(format ? { format } : {}),
      },
    });
    const rows = answer.results[0]?.values.length ?? 0;
    if (out && kind === "json") fs.writeFileSync(out, JSON.stringify(answer));
    else if (out && format === "parquet") await writeParquetFile(out, historicalTable(answer));
    else {
      const stream =
        format === "arrow" ? toArrowStream(historicalTable(answer)) : toCsvStream(historicalTable(answer));
      const target = out ? fs.createWriteStream(out) : process.stdout;
      await pipeline(Readable.fromWeb(stream as never), target, { end: target !== process.stdout });
    }
    if (out) log(`wrote ${rows} rows to ${out}`);
    return 0;
  });
}

/** The entity rows of a CSV file, by column: cells are strings, an empty cell is null. */
export function readEntityCsv(file: string): Record<string, unknown[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n", "\r"] });
  } catch (e) {
    throw new UsageError(`${file} is not valid CSV: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [header, ...body] = rows;
  if (!header || header.length === 0) throw new UsageError(`${file} has no header row`);
  return Object.fromEntries(
    header.map((name, c) => [
      name.trim(),
      body.map((r) => (r[c] === "" || r[c] === undefined ? null : r[c])),
    ]),
  );
}
