import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * A fieldset of radio buttons drawn as one segmented control (a source's kind, a consumer's).
 * The inputs are real radios (sr-only): arrow keys move between them and the legend names them.
 */
export function SegmentedChoice<T extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  labelOf = (o) => o,
  optionClassName,
  disabled,
  children,
}: {
  legend: string;
  /** The radios' shared name (unique on the page). */
  name: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  labelOf?: (option: T) => ReactNode;
  optionClassName?: string;
  disabled?: boolean;
  /** Shown under the control (a hint on the chosen option). */
  children?: ReactNode;
}) {
  return (
    <fieldset className="flex flex-col gap-1.5" disabled={disabled}>
      <legend className="mb-1.5 text-sm font-medium text-zinc-800">{legend}</legend>
      <div className="flex h-8 w-fit rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs">
        {options.map((o) => (
          <label
            key={o}
            className={cn(
              "flex cursor-pointer items-center rounded px-3 text-sm transition-colors has-focus-visible:outline-2 has-focus-visible:outline-indigo-500",
              optionClassName,
              value === o ? "bg-indigo-600 font-medium text-white" : "text-zinc-600 hover:bg-zinc-100",
            )}
          >
            <input
              type="radio"
              name={name}
              value={o}
              checked={value === o}
              onChange={() => onChange(o)}
              className="sr-only"
            />
            {labelOf(o)}
          </label>
        ))}
      </div>
      {children}
    </fieldset>
  );
}
