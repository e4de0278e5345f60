"use client";

import type { ComponentProps } from "react";
import { cn } from "./cn";
import { controlClasses, useFieldControl } from "./field";

/** A text input; inside a Field it is labelled and shows the Field's error state. */
export function Input({ className, ...props }: ComponentProps<"input">) {
  const field = useFieldControl(props);
  return <input {...props} {...field} className={cn(controlClasses, "h-8", className)} />;
}
