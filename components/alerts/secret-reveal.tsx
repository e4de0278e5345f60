"use client";

import { Check, Copy, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/** A new rule's signing secret: shown here once; Quiver keeps it encrypted, to sign, and never shows it again. */
export function SecretReveal({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
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
          <h3 className="text-sm font-semibold text-amber-900">Copy the signing secret of “{name}” now</h3>
          <p className="mt-0.5 text-sm text-amber-900/80">
            The receiver checks each delivery with it: <code className="font-mono">x-quiver-signature</code>{" "}
            is <code className="font-mono">sha256=</code> HMAC-SHA256 of{" "}
            <code className="font-mono">{"<x-quiver-timestamp>.<body>"}</code>. It is shown only this once; if
            it is lost, delete the rule and create another.
          </p>
          <div className="mt-3 flex items-center gap-2">
            <code
              data-testid="new-rule-secret"
              className="block min-w-0 flex-1 truncate rounded-md border border-amber-200 bg-white px-2.5 py-1.5 font-mono text-[13px] text-zinc-900 select-all"
            >
              {secret}
            </code>
            <Button onClick={copy} aria-label="Copy the secret">
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
