import fs from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse/sync";
import { env } from "../../../server/env";
import { getHistoricalFeatures } from "../../../server/serving";
import { toCsvStream } from "../../../server/serving/csv";
import { parseCommandArgs, parseList, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

/**
 * `quiver get-historical-features --entities rows.csv (--features v:f,... | --service s)
 *  [--out file.csv|file.json] [--project p] [--full-feature-names]`: point-in-time correct training
 * rows for the entity rows of a CSV file (a header with the join keys and event_timestamp), the
 * same operation as POST /api/v1/get-historical-features. CSV to stdout unless --out says otherwise.
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
  if (out && !/\.(csv|json)$/.test(out)) throw new UsageError("--out must end in .csv or .json");
  const entities = readEntityCsv(file);

  return withSession(async (s) => {
    const answer = await getHistoricalFeatures({
      ctx: s.ctx,
      input: {
        project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
        ...(features ? { features } : { feature_service: service }),
        entities,
        full_feature_names: values["full-feature-names"] === true,
      },
    });
    const rows = answer.results[0]?.values.length ?? 0;
    if (out?.endsWith(".json")) fs.writeFileSync(out, JSON.stringify(answer));
    else {
      const target = out ? fs.createWriteStream(out) : process.stdout;
      await pipeline(Readable.fromWeb(toCsvStream(answer) as never), target, {
        end: target !== process.stdout,
      });
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
