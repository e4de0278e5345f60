/**
 * The backfill dialog's window: two `<input type="datetime-local">` values read as UTC (the page
 * says so; a browser's own zone would make the same link mean different windows), checked before
 * anything is sent: both given, valid, start before end, and no end in the future (a backfill
 * recomputes the past; the watermark is Run's business).
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** A Date as a datetime-local value in UTC, to the minute: "2026-11-27T04:00". */
export function toUtcInput(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A datetime-local value ("2026-11-27T04:00", seconds optional) read as UTC; undefined if not one. */
export function fromUtcInput(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => Number(x ?? 0));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2026-02-31 over to March: a day or hour out of range is not a date.
  if (
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    date.getUTCMinutes() !== mi
  )
    return undefined;
  return date;
}

export type RangeErrors = { start?: string; end?: string };

/** The window [start, end), or the errors to show under each field. */
export function readBackfillRange(
  start: string,
  end: string,
  now: Date = new Date(),
): { ok: true; start: Date; end: Date } | { ok: false; errors: RangeErrors } {
  const errors: RangeErrors = {};
  const s = fromUtcInput(start);
  const e = fromUtcInput(end);
  if (!start.trim()) errors.start = "Enter a start time";
  else if (!s) errors.start = "Not a date and time";
  if (!end.trim()) errors.end = "Enter an end time";
  else if (!e) errors.end = "Not a date and time";
  if (s && e && s.getTime() >= e.getTime()) errors.start = "The start must be before the end";
  if (e && e.getTime() > now.getTime())
    errors.end = "The end is in the future; a backfill recomputes the past";
  if (errors.start || errors.end || !s || !e) return { ok: false, errors };
  return { ok: true, start: s, end: e };
}

/** The dialog's first window: the 7 days before the last full hour. */
export function defaultBackfillRange(now: Date = new Date()): { start: string; end: string } {
  const end = new Date(now);
  end.setUTCMinutes(0, 0, 0);
  return { start: toUtcInput(new Date(end.getTime() - 7 * 24 * 3600 * 1000)), end: toUtcInput(end) };
}
