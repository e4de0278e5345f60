import { relativeTime } from "./format";

/** "3 h ago" with the ISO time as tooltip; a dash for null. */
export function RelativeTime({ date, className }: { date: Date | null | undefined; className?: string }) {
  if (!date) return <span className="text-zinc-400">—</span>;
  const iso = date.toISOString();
  return (
    // The server and the browser render at slightly different moments.
    <time dateTime={iso} title={iso} className={className} suppressHydrationWarning>
      {relativeTime(date)}
    </time>
  );
}
