/** Durations as the forms edit them: a number and a unit, stored by the registry in seconds. */

export const DURATION_UNITS = [
  { value: "seconds", label: "seconds", seconds: 1 },
  { value: "minutes", label: "minutes", seconds: 60 },
  { value: "hours", label: "hours", seconds: 3600 },
  { value: "days", label: "days", seconds: 86400 },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]["value"];

export interface DurationValue {
  /** What the user typed; parsed on submit so a half-typed number is not rewritten. */
  amount: string;
  unit: DurationUnit;
}

export function unitSeconds(unit: DurationUnit): number {
  return DURATION_UNITS.find((u) => u.value === unit)?.seconds ?? 1;
}

/** The largest unit that divides the seconds evenly: 7200 -> 2 hours, 90 -> 90 seconds, 0 -> 0 hours. */
export function fromSeconds(seconds: number, zeroUnit: DurationUnit = "hours"): DurationValue {
  if (seconds === 0) return { amount: "0", unit: zeroUnit };
  for (const u of [...DURATION_UNITS].reverse()) {
    if (seconds % u.seconds === 0) return { amount: String(seconds / u.seconds), unit: u.value };
  }
  return { amount: String(seconds), unit: "seconds" };
}

/**
 * Seconds of a duration: undefined when the amount is blank, NaN when it is not a number (the
 * schema then refuses it with its own message). Rounded to whole seconds only when the product is
 * within a float's noise of an integer, so "1.5 minutes" stays 90 and "0.3 seconds" stays invalid.
 */
export function toSeconds(d: DurationValue): number | undefined {
  const text = d.amount.trim();
  if (text === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return Number.NaN;
  const s = n * unitSeconds(d.unit);
  const rounded = Math.round(s);
  return Math.abs(s - rounded) < 1e-6 ? rounded : s;
}
