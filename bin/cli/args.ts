import { parseArgs } from "node:util";

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface Parsed {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/**
 * parseArgs in strict mode with its errors turned into UsageErrors. Every option listed in
 * `strings` takes a value; `booleans` are flags.
 */
export function parseCommandArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; positionals: [min: number, max: number]; names: string },
): Parsed {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const s of spec.strings ?? []) options[s] = { type: "string" };
  for (const b of spec.booleans ?? []) options[b] = { type: "boolean" };
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(
      e instanceof Error ? e.message.replace(/\. To specify a positional.*$/s, "") : String(e),
    );
  }
  const [min, max] = spec.positionals;
  const n = parsed.positionals.length;
  if (n < min) throw new UsageError(`missing ${spec.names.split(" ").slice(n, min).join(" ")}`);
  if (n > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
  return parsed;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time (`2026-01-31`, `2026-01-31T12:00`, `2026-01-31T12:00:00+02:00`),
 * or `now`. Without an offset the time is UTC, so a command means the same on every machine.
 */
export function parseTimestamp(text: string, what: string, now: () => Date = () => new Date()): Date {
  if (text.toLowerCase() === "now") return now();
  let iso: string | undefined;
  if (DATE_ONLY.test(text)) iso = `${text}T00:00:00Z`;
  else {
    const m = DATE_TIME.exec(text);
    if (m) iso = `${m[1]}T${m[2]}${m[5] ?? "Z"}`;
  }
  const d = iso ? new Date(iso) : undefined;
  if (!d || Number.isNaN(d.getTime()) || !realCalendarDate(text.slice(0, 10))) {
    throw new UsageError(
      `${what}: "${text}" is not an ISO 8601 time (e.g. 2026-01-31, 2026-01-31T12:00:00Z) or "now"`,
    );
  }
  return d;
}

/** Date rolls 2026-02-30 over to March 2; refuse such a day instead of guessing. */
function realCalendarDate(ymd: string): boolean {
  const [y = 0, m = 0, d = 0] = ymd.split("-").map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** `--views a,b` -> ["a", "b"]; undefined when absent. */
export function parseList(value: string | boolean | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${what}: give at least one name (comma-separated)`);
  return items;
}

export function parsePort(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--port: "${value}" is not a port number`);
  return n;
}

export function parsePositiveInt(value: string | boolean | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: "${value}" is not a positive integer`);
  return n;
}
