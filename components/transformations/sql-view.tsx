"use client";

import { useEffect, useRef, useState } from "react";

/**
 * A transformation's SQL, read-only, with PostgreSQL syntax highlighting and line numbers
 * (CodeMirror 6). The server renders the plain text; CodeMirror, loaded on demand, replaces it
 * once in the browser, so the SQL is readable before any script runs.
 */
export function SqlView({ sql, label }: { sql: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    let view: { destroy: () => void } | undefined;
    let cancelled = false;
    void import("./sql-view-editor").then(({ mountSqlView }) => {
      if (cancelled || !host.current) return;
      view = mountSqlView(host.current, sql, label);
      setMounted(true);
    });
    return () => {
      cancelled = true;
      view?.destroy();
      setMounted(false);
    };
  }, [sql, label]);
  return (
    <div
      className="overflow-hidden rounded-md ring-1 ring-zinc-200"
      data-testid="sql-view"
      data-highlighted={mounted || undefined}
    >
      <div ref={host} />
      {!mounted && (
        <pre className="bg-zinc-50 px-4 py-2.5 font-mono text-[13px] leading-[1.55] whitespace-pre-wrap text-zinc-900 wrap-anywhere">
          {sql}
        </pre>
      )}
    </div>
  );
}
