import "server-only";
import type { Ctx } from "../core/context";
import { OfflineTimeoutError } from "../offline/errors";
import { defineOperation } from "../operations/define";
import { countEntityRows, readEntitySlices } from "./entity-source";
import { datasetColumns, joinSlice, nullRatesOf, toRows } from "./join";
import { DatasetRows, PREVIEW_ROWS, PreviewDraftInput } from "./schemas";
import { resolveSelection } from "./selection";

/**
 * The dataset builder's preview: the first PREVIEW_ROWS entity rows of the draft's source joined
 * point in time, exactly as the build would store them; nothing is saved. Null rates are over
 * these rows; rowCount is what the whole source gives (null when counting it timed out).
 */
export const previewDraftOp = defineOperation({
  name: "datasets.previewDraft",
  summary: "Preview a dataset before saving it: its first 100 entity rows joined point in time.",
  // A query (it changes nothing), so pages can cache a draft's preview by its input.
  kind: "query",
  access: "definitions.write",
  input: PreviewDraftInput,
  output: DatasetRows,
  run: async ({ ctx, input, project }): Promise<DatasetRows> => {
    const selection = await resolveSelection(ctx, project, input.selection);
    const columns = datasetColumns(selection);
    let values: unknown[][] = columns.map(() => []);
    let rows = 0;
    await readEntitySlices(
      ctx,
      project,
      input.entitySource,
      selection,
      { sliceRows: PREVIEW_ROWS, limit: PREVIEW_ROWS },
      async (slice) => {
        values = await joinSlice(ctx, project.name, selection, slice);
        rows = slice.times.length;
        return false;
      },
    );
    return {
      columns: columns.map((c) => c.name),
      featureColumns: columns.filter((c) => c.role === "feature").map((c) => c.name),
      rows: toRows(values, rows),
      rowCount: await countOrNull(ctx, () => countEntityRows(ctx, project, input.entitySource, selection)),
      nullRates: nullRatesOf(columns, values, rows),
    };
  },
});
export const previewDraft = previewDraftOp.call;

async function countOrNull(ctx: Ctx, count: () => Promise<number>): Promise<number | null> {
  try {
    return await count();
  } catch (e) {
    if (!(e instanceof OfflineTimeoutError)) throw e;
    ctx.log.info({ err: e }, "counting a draft's entity rows timed out");
    return null;
  }
}
