/** An entry's before and after, side by side, as indented JSON. */
export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  return (
    <div className="grid grid-cols-2 gap-3">
      <JsonPane label="Before" value={before} />
      <JsonPane label="After" value={after} />
    </div>
  );
}

function JsonPane({ label, value }: { label: string; value: unknown }) {
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-xs font-medium text-zinc-500">{label}</figcaption>
      {value === null || value === undefined ? (
        <p className="rounded-md border border-dashed border-zinc-200 px-3 py-2 text-xs text-zinc-400">
          nothing
        </p>
      ) : (
        <pre className="max-h-80 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs leading-5 text-zinc-800">
          {JSON.stringify(value, null, 2)}
        </pre>
      )}
    </figure>
  );
}
