import { Cron } from "croner";

/**
 * When a schedule fires (docs/adr/0031-scheduled-materialization.md). Pure: no database, no clock
 * read; the scheduler and the operations pass `after`.
 *
 * - cron: a 5-field expression (minute precision) read in an IANA time zone by croner, which
 *   handles DST: a fixed time inside a spring-forward gap fires at the first instant after the
 *   gap, and a fixed time that occurs twice in autumn fires once.
 * - every N minutes: the multiples of N minutes since the Unix epoch (UTC), so every process
 *   computes the same instants and "every 15" fires at :00, :15, :30, :45.
 */
export type ScheduleRule =
  | { kind: "cron"; cron: string; timeZone: string }
  | { kind: "every"; everyMinutes: number };

export const MAX_EVERY_MINUTES = 1440;

/** Why a time zone is unusable, or undefined when Intl knows it. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return undefined;
  } catch {
    return `"${timeZone}" is not an IANA time zone (e.g. "UTC", "Europe/Paris", "America/New_York")`;
  }
}

/** Why a cron expression is unusable, or undefined when it is a 5-field expression that fires. */
export function cronProblem(cron: string, timeZone = "UTC"): string | undefined {
  let job: Cron;
  try {
    job = new Cron(cron, { paused: true, mode: "5-part", timezone: timeZone });
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^CronPattern: /, "") : String(e);
    return `"${cron}" is not a 5-field cron expression (minute hour day-of-month month day-of-week): ${why}`;
  }
  if (!job.nextRun(new Date(0))) return `"${cron}" never fires`;
  return undefined;
}

/** The first instant strictly after `after` at which the rule fires; null if it never does again. */
export function nextFire(rule: ScheduleRule, after: Date): Date | null {
  if (rule.kind === "every") {
    const period = rule.everyMinutes * 60_000;
    return new Date((Math.floor(after.getTime() / period) + 1) * period);
  }
  const job = new Cron(rule.cron, { paused: true, mode: "5-part", timezone: rule.timeZone });
  return job.nextRun(after);
}

/** A short description: "every 15 min" or "*\/15 * * * * (Europe/Paris)". */
export function describeRule(rule: ScheduleRule): string {
  if (rule.kind === "every") return `every ${rule.everyMinutes} min`;
  return `${rule.cron} (${rule.timeZone})`;
}
