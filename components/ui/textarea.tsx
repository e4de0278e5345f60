"use client";

import type { ComponentProps } from "react";
import { cn } from "./cn";
import { controlClasses, useFieldControl } from "./field";

/** A multi-line text input (3 rows by default); inside a Field it is labelled like Input. */
export function Textarea({ className, rows = 3, ...props }: ComponentProps<"textarea">) {
  const field = useFieldControl(props);
  return (
    <textarea
      rows={rows}
      {...props}
      {...field}
      className={cn(controlClasses, "py-1.5 leading-5", className)}
    />
  );
}
