"use client";

import { Check, Copy, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** The plaintext of a key just created: shown here once, never again (only its hash is kept). */
export function NewKeyReveal({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  }
  return (
    <div role="status" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <div className="flex items-start gap-3">
        <TriangleAlert className="mt-0.5 size-5 shrink-0 text-amber-600" aria-hidden />
        <div className="min-w-0 flex-1">
          <h3 className="text-sm font-semibold text-amber-900">Copy the key “{name}” now</h3>
          <p className="mt-0.5 text-sm text-amber-900/80">
            It is shown only this once: Quiver keeps a hash of it and cannot show it again. Store it in a
            secret manager; if it is lost, revoke it and create another.
          </p>
          <div className="mt-3 flex items-center gap-2">
            <code
              data-testid="new-api-key"
              className="block min-w-0 flex-1 truncate rounded-md border border-amber-200 bg-white px-2.5 py-1.5 font-mono text-[13px] text-zinc-900 select-all"
            >
              {secret}
            </code>
            <Button onClick={copy} aria-label="Copy the key">
              {copied ? (
                <Check className="size-4 text-emerald-600" aria-hidden />
              ) : (
                <Copy className="size-4" aria-hidden />
              )}
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="ghost" onClick={onDone}>
              Done
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}
