import { env } from "../../../server/env";
import { listTransformationsOp } from "../../../server/transformations/registry";
import {
  backfillTransformationOp,
  retryTransformationRunOp,
  runTransformationOp,
  waitForTransformationRun,
} from "../../../server/transformations/runs";
import type { TransformationRun } from "../../../server/transformations/schemas";
import { parseCommandArgs, parseTimestamp, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

export const TRANSFORM_USAGE = `  transform run <name> [--start ISO --end ISO] [--full] [--project p]
                                   run a batch SQL transformation and follow it: incremental
                                   from its watermark (to --end, default now), a full refresh
                                   with --full (or when it cannot run incrementally), or a
                                   backfill of the past range [--start, --end)
  transform retry <run-id> [--project p]
                                   retry a failed or cancelled run as a new run (same mode and
                                   window) and follow it
  transform list [--project p]     the project's transformations, their versions and watermarks`;

/** `quiver transform run|list …` (docs/adr/0035-batch-transformations.md). */
export async function transformCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === "list") {
    const { values } = parseCommandArgs(rest, { strings: ["project"], positionals: [0, 0], names: "" });
    const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
    return withSession(async ({ ctx }) => {
      const list = await listTransformationsOp.call({ ctx, input: { project } });
      if (list.length === 0) log(`no transformations in project "${project}"`);
      for (const t of list)
        console.log(
          `${t.name}\tv${t.currentVersion}\t${t.engine}\t${t.incremental ? "incremental" : "full only"}\tcomputed until ${t.computedUntil?.toISOString() ?? "never"}\t-> ${t.outputSource}`,
        );
      return 0;
    });
  }
  if (action !== "run" && action !== "retry")
    throw new UsageError(`transform: expected run, retry or list${action ? `, not "${action}"` : ""}`);
  if (action === "retry") {
    const { positionals, values } = parseCommandArgs(rest, {
      strings: ["project"],
      positionals: [1, 1],
      names: "<run-id>",
    });
    const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
    return withSession(async (s) => {
      const queued = await retryTransformationRunOp.call({
        ctx: s.ctx,
        input: { project, runId: positionals[0] ?? "" },
      });
      log(`${queued.transformation}: ${runLabel(queued)} queued again (run ${queued.id})`);
      await s.ensureWorker();
      const run = await waitForTransformationRun(s.ctx, project, queued.id);
      log(`${queued.transformation}: ${run.status}${run.error ? `: ${run.error}` : ""}`);
      return run.status === "succeeded" ? 0 : 1;
    });
  }
  const { positionals, values } = parseCommandArgs(rest, {
    strings: ["project", "start", "end"],
    booleans: ["full"],
    positionals: [1, 1],
    names: "<name>",
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  const name = positionals[0] ?? "";
  const start = typeof values.start === "string" ? parseTimestamp(values.start, "--start") : undefined;
  const end = typeof values.end === "string" ? parseTimestamp(values.end, "--end") : undefined;
  if (values.full && (start || end)) throw new UsageError("transform run: --full takes no --start or --end");
  if (start && !end) throw new UsageError("transform run: --start needs --end (a backfill is a range)");
  return withSession(async (s) => {
    const queued = start
      ? await backfillTransformationOp.call({ ctx: s.ctx, input: { project, name, start, end } })
      : await runTransformationOp.call({
          ctx: s.ctx,
          input: { project, name, mode: values.full ? "full" : "incremental", end },
        });
    log(`${name}: ${runLabel(queued)} queued (run ${queued.id})`);
    await s.ensureWorker();
    let last = "";
    const run = await waitForTransformationRun(s.ctx, project, queued.id, (r) => {
      const line = `${name}: ${r.rowsWritten} rows written (${r.status})${r.status === "retrying" && r.error ? `: attempt ${r.attempts} failed: ${r.error}` : ""}`;
      if (line !== last) log(line);
      last = line;
    });
    if (run.status === "succeeded") {
      log(`done: ${run.rowsWritten} rows written`);
      return 0;
    }
    console.error(`${name}: ${run.status}${run.error ? `: ${run.error}` : ""}`);
    return 1;
  });
}

function runLabel(r: TransformationRun): string {
  if (r.mode === "full") return "full refresh";
  return `${r.mode} ${r.startTs?.toISOString()} .. ${r.endTs?.toISOString()}`;
}
