/** Plain formatting helpers shared by server and client components. */

const UNITS: [number, string][] = [
  [365 * 86400, "y"],
  [30 * 86400, "mo"],
  [7 * 86400, "w"],
  [86400, "d"],
  [3600, "h"],
  [60, "min"],
  [1, "s"],
];

/** "3 h ago", "in 5 min", "just now". */
export function relativeTime(date: Date, now: Date = new Date()): string {
  const diff = Math.round((now.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(diff);
  if (abs < 10) return "just now";
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      return diff > 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return "just now";
}

/** A duration in at most two units: 90061 -> "1 d 1 h", 5400 -> "1 h 30 min", 45 -> "45 s". */
export function humanizeSeconds(seconds: number): string {
  if (seconds <= 0) return "0 s";
  const parts: string[] = [];
  let rest = seconds;
  for (const [size, unit] of UNITS) {
    if (unit === "mo" || unit === "w") continue;
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
      if (parts.length === 2) break;
    } else if (parts.length === 1) break;
  }
  return parts.join(" ");
}

/** A feature view's ttl: 0 means values never expire. */
export function formatTtl(seconds: number): string {
  return seconds === 0 ? "No limit" : humanizeSeconds(seconds);
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** "1 feature", "3 features". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
