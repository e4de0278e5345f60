"use client";

import { type AriaAttributes, createContext, type ReactNode, useContext, useId } from "react";
import { cn } from "./cn";

interface FieldState {
  id: string;
  describedBy: string | undefined;
  invalid: boolean;
}

const FieldContext = createContext<FieldState | null>(null);

interface FieldProps {
  label: ReactNode;
  /** The control: Input, Select or Textarea pick up id, aria-invalid and aria-describedby from here. */
  children: ReactNode;
  /** Shown under the control in red; also marks the control invalid. */
  error?: string | null;
  /** Help text under the control when there is no error. */
  hint?: ReactNode;
  required?: boolean;
  /** An id for the control; generated when omitted. */
  id?: string;
  className?: string;
}

/** Label + control + inline error: `<Field label="Join key" error={errors.joinKey}><Input .../></Field>`. */
export function Field({ label, children, error, hint, required, id, className }: FieldProps) {
  const generated = useId();
  const controlId = id ?? generated;
  const messageId = `${controlId}-message`;
  const message = error || hint;
  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      <label htmlFor={controlId} className="text-sm font-medium text-zinc-800">
        {label}
        {required && (
          <span className="ml-0.5 text-red-600" aria-hidden>
            *
          </span>
        )}
      </label>
      <FieldContext value={{ id: controlId, describedBy: message ? messageId : undefined, invalid: !!error }}>
        {children}
      </FieldContext>
      {message && (
        <p id={messageId} className={cn("text-xs", error ? "text-red-600" : "text-zinc-500")}>
          {message}
        </p>
      )}
    </div>
  );
}

/** Props a control takes from its surrounding Field; explicit props win. */
export function useFieldControl(
  props: { id?: string } & Pick<AriaAttributes, "aria-describedby" | "aria-invalid">,
) {
  const field = useContext(FieldContext);
  return {
    id: props.id ?? field?.id,
    "aria-describedby": props["aria-describedby"] ?? field?.describedBy,
    "aria-invalid": props["aria-invalid"] ?? (field?.invalid || undefined),
  };
}

/** Shared look of text controls; invalid ones get a red border through aria-invalid. */
export const controlClasses = cn(
  "block w-full rounded-md border border-zinc-300 bg-white px-2.5 text-sm text-zinc-900 shadow-xs",
  "placeholder:text-zinc-400 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500/20",
  "disabled:cursor-not-allowed disabled:bg-zinc-50 disabled:text-zinc-500",
  "aria-invalid:border-red-500 aria-invalid:focus:outline-red-500/20",
);
