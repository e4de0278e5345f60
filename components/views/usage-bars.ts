import { formatCount, plural } from "@/components/ui/format";

/** One day of a view's reads, as featureViews.usage answers it. */
export interface UsageDay {
  day: string;
  reads: number;
}

export interface UsageBar {
  day: string;
  reads: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Height of a day without reads: a hairline, so the axis shows every day. */
export const EMPTY_BAR = 1;

/**
 * The bars of a reads-per-day chart in a width × height box: one slot per day, oldest left, the
 * busiest day full height; a day with any read at least 2 units tall, so one read stays visible
 * beside a million.
 */
export function usageBars(days: readonly UsageDay[], width: number, height: number, gap = 0.2): UsageBar[] {
  const most = Math.max(0, ...days.map((d) => d.reads));
  const slot = days.length > 0 ? width / days.length : 0;
  const barWidth = slot * (1 - gap);
  return days.map((d, i) => {
    const h = d.reads === 0 || most === 0 ? EMPTY_BAR : Math.max(2, (d.reads / most) * height);
    return {
      day: d.day,
      reads: d.reads,
      x: i * slot + (slot - barWidth) / 2,
      y: height - h,
      width: barWidth,
      height: h,
    };
  });
}

/** What a screen reader hears for the chart: the range, the total and the busiest day. */
export function usageSummary(days: readonly UsageDay[]): string {
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) return "No days";
  const total = days.reduce((n, d) => n + d.reads, 0);
  const range = `${plural(days.length, "day")}, ${first.day} to ${last.day} (UTC)`;
  if (total === 0) return `Reads per day, ${range}: no reads`;
  const busiest = days.reduce((a, b) => (b.reads > a.reads ? b : a));
  return `Reads per day, ${range}: ${plural(total, "read")} in all, most on ${busiest.day} (${formatCount(busiest.reads)})`;
}

/** An instant as UTC to the second: "2026-03-10 14:00:05 UTC". */
export function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
