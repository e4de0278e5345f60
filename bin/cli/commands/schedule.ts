import { env } from "../../../server/env";
import {
  deleteSchedule,
  getSchedule,
  pauseSchedule,
  resumeSchedule,
  type Schedule,
  setSchedule,
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
                                   run), show it with its latest ticks, or remove it`;

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
  const { positionals, values } = parseCommandArgs(rest, {
    strings: action === "set" ? ["project", "tz"] : ["project"],
    positionals: takesValue ? [2, 2] : [1, 1],
    names: action === "set" ? "<view> <cron>" : action === "every" ? "<view> <minutes>" : "<view>",
  });
  const target = {
    project: String(values.project ?? env().QUIVER_DEFAULT_PROJECT),
    featureView: positionals[0] ?? "",
  };
  const value = positionals[1] ?? "";
  let minutes = 0;
  if (action === "every") {
    minutes = Number(value);
    if (!/^\d+$/.test(value) || minutes < 1 || minutes > 1440)
      throw new UsageError(`schedule every: <minutes> must be a whole number from 1 to 1440, not "${value}"`);
  }
  return withSession(async ({ ctx }) => {
    switch (action) {
      case "set":
        show(
          await setSchedule({
            ctx,
            input: {
              ...target,
              kind: "cron",
              cron: value,
              ...(values.tz ? { timeZone: String(values.tz) } : {}),
            },
          }),
        );
        break;
      case "every":
        show(await setSchedule({ ctx, input: { ...target, kind: "every", everyMinutes: minutes } }));
        break;
      case "pause":
        show(await pauseSchedule({ ctx, input: target }));
        break;
      case "resume":
        show(await resumeSchedule({ ctx, input: target }));
        break;
      case "delete":
        await deleteSchedule({ ctx, input: target });
        log(`${target.project}/${target.featureView}: schedule deleted`);
        break;
      default: {
        const { schedule, ticks } = await getSchedule({ ctx, input: target });
        if (!schedule) log(`${target.project}/${target.featureView}: no schedule`);
        else show(schedule);
        for (const tick of ticks)
          log(
            `  ${tick.tickAt.toISOString()}  ${tick.outcome.padEnd(7)}  ${tick.runId ?? ""}${tick.reason ? `  ${tick.reason}` : ""}`,
          );
      }
    }
    return 0;
  });
}

function show(s: Schedule): void {
  const next = s.paused ? "paused" : `next run ${s.nextRunAt?.toISOString() ?? "never"}`;
  log(`${s.featureView}: ${s.description}, ${next}`);
}
