"use client";

import { CircleAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Button, ButtonLink } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { sentence } from "./form-errors";

/** A failure that names no input: red, above the submit bar. */
export function FormBanner({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      className="flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 px-4 py-3 text-sm text-red-800"
    >
      <CircleAlert className="mt-0.5 size-4 shrink-0 text-red-500" aria-hidden />
      <p className="min-w-0 break-words">{sentence(message)}</p>
    </div>
  );
}

/** The sticky bar under a page form: how many inputs need attention, Cancel, and the submit button. */
export function FormBar({
  errorCount,
  cancelHref,
  submitLabel,
  busy,
  extra,
}: {
  errorCount: number;
  cancelHref: string;
  submitLabel: string;
  busy: boolean;
  extra?: ReactNode;
}) {
  return (
    <div className="sticky bottom-0 -mx-1 flex items-center justify-end gap-3 border-t border-zinc-200 bg-white/95 px-1 py-3 backdrop-blur">
      {errorCount > 0 && (
        <p className="mr-auto text-sm text-red-600" role="status">
          {errorCount === 1 ? "1 field needs attention" : `${errorCount} fields need attention`}
        </p>
      )}
      {extra}
      <ButtonLink href={cancelHref} variant="ghost">
        Cancel
      </ButtonLink>
      <Button type="submit" variant="primary" disabled={busy}>
        {busy && <Spinner className="size-3.5 text-white" label="Saving" />}
        {submitLabel}
      </Button>
    </div>
  );
}
