import "server-only";
import { InvalidError } from "../core/errors";
import { withDuckDb } from "../offline/duckdb";
import { defineOperation } from "../operations/define";
import { describeFile, fileError, fileRelation, UPLOAD_FOLDER } from "./entity-source";
import { MAX_UPLOAD_BYTES, UploadEntitiesInput, UploadedEntities } from "./schemas";
import { TIMESTAMP_COLUMN } from "./selection";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Keeps an entity file (CSV or Parquet, base64 in the body) in the project's file area under
 * uploads/ and inspects it with the sandboxed DuckDB: its columns and row count. A file DuckDB
 * cannot read, or one without event_timestamp, is removed and refused.
 */
export const uploadEntitiesOp = defineOperation({
  name: "datasets.upload",
  summary: "Upload an entity file (CSV or Parquet, base64) for a dataset: kept in the project's file area.",
  kind: "mutation",
  writesRegistry: false,
  access: "definitions.write",
  input: UploadEntitiesInput,
  output: UploadedEntities,
  doors: ["trpc", "rest", "cli"],
  rest: { bodyLimit: Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 64 * 1024 },
  run: async ({ ctx, input, project }) => {
    const text = input.contentBase64.replace(/\s+/g, "");
    if (text.length === 0 || text.length % 4 === 1 || !BASE64.test(text))
      throw new InvalidError("contentBase64: is not base64 of a file", "contentBase64");
    const bytes = Buffer.from(text, "base64");
    if (bytes.length === 0) throw new InvalidError("contentBase64: the file is empty", "contentBase64");
    if (bytes.length > MAX_UPLOAD_BYTES)
      throw new InvalidError(
        `contentBase64: the file is larger than ${MAX_UPLOAD_BYTES} bytes`,
        "contentBase64",
      );
    const files = ctx.offline.files;
    const path = await files.write(project.name, UPLOAD_FOLDER, input.format, bytes);
    try {
      const relation = fileRelation(files.resolve(project.name, path), input.format);
      const what = `the ${input.format === "csv" ? "CSV" : "Parquet"} file`;
      const { columns, rows } = await withDuckDb(
        { allowedDirs: [files.dirOf(project.name)], timeoutMs: ctx.offline.timeouts.scanMs },
        async (conn) => {
          const cols = await describeFile(conn, relation);
          const count = await conn.runAndReadAll(`SELECT count(*) FROM ${relation}`);
          return { columns: cols.map((c) => c.name), rows: Number(count.getRows()[0]?.[0] ?? 0) };
        },
      ).catch((e: unknown) => {
        ctx.log.warn({ err: e, project: project.name }, "an uploaded entity file could not be read");
        throw fileError(e, what, "contentBase64");
      });
      if (!columns.includes(TIMESTAMP_COLUMN))
        throw new InvalidError(
          `contentBase64: the file has no "${TIMESTAMP_COLUMN}" column (it has ${columns.map((c) => `"${c}"`).join(", ")})`,
          "contentBase64",
        );
      return { path, fileName: input.fileName, format: input.format, rows, columns };
    } catch (e) {
      await files.remove(project.name, path).catch(() => {});
      throw e;
    }
  },
});
export const uploadEntities = uploadEntitiesOp.call;
