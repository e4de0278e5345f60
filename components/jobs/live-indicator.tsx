/** A pulsing dot with a label, for lists that refresh themselves while work is in progress. */
export function LiveIndicator({ label }: { label: string }) {
  return (
    <span className="inline-flex items-center gap-2 text-xs text-zinc-500" role="status">
      <span className="relative flex size-2">
        <span className="absolute inline-flex size-full animate-ping rounded-full bg-sky-400 opacity-75" />
        <span className="relative inline-flex size-2 rounded-full bg-sky-500" />
      </span>
      {label}
    </span>
  );
}
