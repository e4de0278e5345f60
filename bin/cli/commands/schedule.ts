import { env } from "../../../server/env";
import {
  deleteSchedule,
  deleteTransformationScheduleOp,
  getSchedule,
  getTransformationScheduleOp,
  pauseSchedule,
  pauseTransformationScheduleOp,
  resumeSchedule,
  resumeTransformationScheduleOp,
  type Schedule,
  type ScheduleDetail,
  type SetScheduleInput,
  setSchedule,
  setTransformationScheduleOp,
  type TransformationSchedule,
} from "../../../server/schedules";
import { parseCommandArgs, UsageError } from "../args";
import { log } from "../log";
import { withSession } from "../session";

export const SCHEDULE_USAGE = `  schedule set <view> "<cron>" [--tz Europe/Paris] [--project p]
                                   run the view's incremental materialization on a 5-field cron
                                   expression, read in --tz (an IANA time zone; default UTC)
  schedule every <view> <minutes> [--project p]
                                   the same every N minutes (1 to 1440, counted from 00:00 UTC)
  schedule pause|resume|show|delete <view> [--project p]
                                   stop and restart a schedule (ticks missed while paused never
                                   run), show it with its latest ticks, or remove it
  schedule set|every|pause|resume|show|delete --transformation <name> [<cron>|<minutes>] ...
                                   the same for a batch transformation instead of a view: each
                                   tick runs it incrementally over [watermark, tick) when its SQL
                                   allows, else as a full refresh`;

const ACTIONS = ["set", "every", "pause", "resume", "show", "delete"] as const;

/**
 * `quiver schedule …`: the schedule operations (server/schedules) from the command line. The
 * ticks are fired by the app's and `quiver worker`'s schedulers, not by this short-lived process.
 */
export async function scheduleCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!ACTIONS.includes(action as (typeof ACTIONS)[number]))
    throw new UsageError(
      `schedule: expected one of ${ACTIONS.join(", ")}${action ? `, not "${action}"` : ""}`,
    );
  const takesValue = action === "set" || action === "every";
  // --transformation NAME names the target instead of the <view> positional.
  const forTransformation =
    rest.includes("--transformation") || rest.some((a) => a.startsWith("--transformation="));
  const extra = forTransformation ? 0 : 1;
  const valueName = action === "set" ? "<cron>" : action === "every" ? "<minutes>" : "";
  const { positionals, values } = parseCommandArgs(rest, {
    strings: action === "set" ? ["project", "tz", "transformation"] : ["project", "transformation"],
    positionals: takesValue ? [1 + extra, 1 + extra] : [extra, extra],
    names: [forTransformation ? "" : "<view>", valueName].filter(Boolean).join(" "),
  });
  const project = String(values.project ?? env().QUIVER_DEFAULT_PROJECT);
  const transformation = forTransformation ? String(values.transformation ?? "") : undefined;
  const label = `${project}/${transformation ?? positionals[0] ?? ""}`;
  const value = positionals[extra] ?? "";
  let minutes = 0;
  if (action === "every") {
    minutes = Number(value);
    if (!/^\d+$/.test(value) || minutes < 1 || minutes > 1440)
      throw new UsageError(`schedule every: <minutes> must be a whole number from 1 to 1440, not "${value}"`);
  }
  const rule: Omit<SetScheduleInput, "project" | "featureView"> =
    action === "every"
      ? { kind: "every", everyMinutes: minutes }
      : { kind: "cron", cron: value, ...(values.tz ? { timeZone: String(values.tz) } : {}) };
  return withSession(async ({ ctx }) => {
    if (transformation !== undefined) {
      const input = { project, transformation };
      switch (action) {
        case "set":
        case "every":
          show(await setTransformationScheduleOp.call({ ctx, input: { ...input, ...rule } }));
          break;
        case "pause":
          show(await pauseTransformationScheduleOp.call({ ctx, input }));
          break;
        case "resume":
          show(await resumeTransformationScheduleOp.call({ ctx, input }));
          break;
        case "delete":
          await deleteTransformationScheduleOp.call({ ctx, input });
          log(`${label}: schedule deleted`);
          break;
        default:
          showDetail(label, await getTransformationScheduleOp.call({ ctx, input }));
      }
      return 0;
    }
    const target = { project, featureView: positionals[0] ?? "" };
    switch (action) {
      case "set":
      case "every":
        show(await setSchedule({ ctx, input: { ...target, ...rule } }));
        break;
      case "pause":
        show(await pauseSchedule({ ctx, input: target }));
        break;
      case "resume":
        show(await resumeSchedule({ ctx, input: target }));
        break;
      case "delete":
        await deleteSchedule({ ctx, input: target });
        log(`${label}: schedule deleted`);
        break;
      default:
        showDetail(label, await getSchedule({ ctx, input: target }));
    }
    return 0;
  });
}

function showDetail(
  label: string,
  { schedule, ticks }: { schedule: Schedule | TransformationSchedule | null; ticks: ScheduleDetail["ticks"] },
): void {
  if (!schedule) log(`${label}: no schedule`);
  else show(schedule);
  for (const tick of ticks)
    log(
      `  ${tick.tickAt.toISOString()}  ${tick.outcome.padEnd(7)}  ${tick.runId ?? ""}${tick.reason ? `  ${tick.reason}` : ""}`,
    );
}

function show(s: Schedule | TransformationSchedule): void {
  const next = s.paused ? "paused" : `next run ${s.nextRunAt?.toISOString() ?? "never"}`;
  log(`${"featureView" in s ? s.featureView : s.transformation}: ${s.description}, ${next}`);
}
