"use client";

import { ChevronDown } from "lucide-react";
import type { ComponentProps } from "react";
import { cn } from "./cn";
import { controlClasses, useFieldControl } from "./field";

/** A native select with Quiver's look: `<Select value={v} onChange={...}><option>...</option></Select>`. */
export function Select({ className, children, ...props }: ComponentProps<"select">) {
  const field = useFieldControl(props);
  return (
    <div className={cn("relative", className)}>
      <select {...props} {...field} className={cn(controlClasses, "h-8 appearance-none pr-8")}>
        {children}
      </select>
      <ChevronDown
        className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-zinc-400"
        aria-hidden
      />
    </div>
  );
}
