"use client";

import { cn } from "@/components/ui/cn";

interface SwitchProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  description?: string;
  disabled?: boolean;
  id?: string;
}

/** An on/off toggle with its label beside it: `<Switch checked={online} onChange={setOnline} label="Online" />`. */
export function Switch({ checked, onChange, label, description, disabled, id }: SwitchProps) {
  return (
    <div className="flex items-start gap-3">
      <button
        type="button"
        role="switch"
        id={id}
        aria-checked={checked}
        aria-label={label}
        disabled={disabled}
        onClick={() => onChange(!checked)}
        className={cn(
          "relative mt-0.5 inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors",
          "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-50",
          checked ? "bg-indigo-600" : "bg-zinc-300",
        )}
      >
        <span
          aria-hidden
          className={cn(
            "inline-block size-4 rounded-full bg-white shadow-sm transition-transform",
            checked ? "translate-x-4.5" : "translate-x-0.5",
          )}
        />
      </button>
      <div className="text-sm">
        <label htmlFor={id} className="font-medium text-zinc-800">
          {label}
        </label>
        {description && <p className="text-xs text-zinc-500">{description}</p>}
      </div>
    </div>
  );
}
