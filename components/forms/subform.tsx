"use client";

import { CircleAlert } from "lucide-react";
import type { KeyboardEvent, ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";

interface SubformProps {
  title: string;
  description?: string;
  children: ReactNode;
  submitLabel: string;
  pending: boolean;
  /** A failure that names no input of the sub-form. */
  error?: string | null;
  onSubmit: () => void;
  onCancel: () => void;
}

/**
 * A small form inside the feature view form (HTML forbids nested <form>s): a framed group whose
 * Enter key submits it, not the outer form.
 */
export function Subform({
  title,
  description,
  children,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: SubformProps) {
  function onKeyDown(e: KeyboardEvent<HTMLFieldSetElement>) {
    if (e.key !== "Enter" || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLButtonElement)
      return;
    e.preventDefault();
    if (!pending) onSubmit();
  }
  return (
    <fieldset
      onKeyDown={onKeyDown}
      className="mt-2 flex flex-col gap-4 rounded-lg border border-indigo-200 bg-indigo-50/40 p-4"
    >
      <div>
        <legend className="text-sm font-semibold text-zinc-900">{title}</legend>
        {description && <p className="mt-0.5 text-xs text-zinc-500">{description}</p>}
      </div>
      {children}
      {error && (
        <p role="alert" className="flex items-start gap-2 text-sm text-red-700">
          <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          {error}
        </p>
      )}
      <div className="flex items-center gap-2">
        <Button variant="primary" size="sm" disabled={pending} onClick={onSubmit}>
          {pending && <Spinner className="size-3.5 text-white" label="Saving" />}
          {submitLabel}
        </Button>
        <Button variant="ghost" size="sm" disabled={pending} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </fieldset>
  );
}
