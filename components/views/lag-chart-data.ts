import { humanizeSeconds } from "@/components/ui/format";

/**
 * What the lag chart draws and says, from freshness.lagHistory's buckets; pure, no React
 * (docs/adr/0034-lag-history-and-run-logs.md).
 */

export interface Bucket {
  /** Ms since the epoch (UTC). */
  startMs: number;
  samples: number;
  maxLagSeconds: number | null;
  slaSeconds: number | null;
  breachMinutes: number;
}

export interface LagPoint {
  /** Bucket start, ms since the epoch (Recharts' numeric time axis). */
  t: number;
  /** Null in a gap: the line breaks there instead of joining across it. */
  lag: number | null;
  sla: number | null;
  /** Minutes of the bucket in breach. */
  breach: number;
  /** False in a gap; a sampled bucket may still have no lag (never materialized). */
  sampled: boolean;
}

export interface Breach {
  /** From the first breached bucket's start to the end of the last one, ms. */
  from: number;
  to: number;
  minutes: number;
}

export function lagPoints(buckets: Bucket[]): LagPoint[] {
  return buckets.map((b) => ({
    t: b.startMs,
    lag: b.samples > 0 ? b.maxLagSeconds : null,
    sla: b.samples > 0 ? b.slaSeconds : null,
    breach: b.breachMinutes,
    sampled: b.samples > 0,
  }));
}

/** Runs of consecutive breached buckets; a bucket without a breached minute (or a gap) ends one. */
export function breaches(buckets: Bucket[], bucketSeconds: number): Breach[] {
  const out: Breach[] = [];
  let open: Breach | undefined;
  for (const b of buckets) {
    const start = b.startMs;
    if (b.breachMinutes > 0) {
      if (open) {
        open.to = start + bucketSeconds * 1000;
        open.minutes += b.breachMinutes;
      } else {
        open = { from: start, to: start + bucketSeconds * 1000, minutes: b.breachMinutes };
        out.push(open);
      }
    } else open = undefined;
  }
  return out;
}

/** "1 h 5 min"-style text of a number of minutes. */
const minutesText = (m: number) => humanizeSeconds(m * 60);

/** The sentence a screen reader hears instead of the chart. */
export function lagSummary(buckets: Bucket[], bucketSeconds: number, days: number): string {
  const sampled = buckets.filter((b) => b.samples > 0);
  if (sampled.length === 0) return `No lag samples in the last ${days} days.`;
  const lags = sampled.map((b) => b.maxLagSeconds).filter((l): l is number => l !== null);
  const max = lags.length > 0 ? `max ${humanizeSeconds(Math.max(...lags))}` : "never materialized";
  const found = breaches(buckets, bucketSeconds);
  const total = found.reduce((n, b) => n + b.minutes, 0);
  const breachText =
    found.length === 0
      ? "no SLA breach"
      : `${found.length} ${found.length === 1 ? "breach" : "breaches"} totalling ${minutesText(total)}`;
  const gaps = buckets.length - sampled.length;
  const gapText = gaps > 0 ? `; not sampled for ${minutesText((gaps * bucketSeconds) / 60)}` : "";
  return `Lag over the last ${days} days: ${max}, ${breachText}${gapText}.`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Axis tick: "Mar 7" at midnight UTC, else "14:00" (UTC). */
export function utcTick(ms: number): string {
  const d = new Date(ms);
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0)
    return d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Tooltip label: "Mar 7, 14:10 UTC". */
export function utcLabel(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
  return `${day}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** Midnights (UTC) within [from, to]: one tick per day. */
export function dayTicks(from: number, to: number): number[] {
  const day = 86_400_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / day) * day; t <= to; t += day) ticks.push(t);
  return ticks;
}

/** Axis label of a duration in one unit, short enough for the axis: "45 s", "12 min", "20.8 h", "3 d". */
export function shortDuration(seconds: number): string {
  const one = (n: number) => String(Math.round(n * 10) / 10);
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7_200) return `${one(seconds / 60)} min`;
  if (seconds < 172_800) return `${one(seconds / 3_600)} h`;
  return `${one(seconds / 86_400)} d`;
}
