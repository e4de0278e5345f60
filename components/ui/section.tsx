import type { ReactNode } from "react";
import { cn } from "./cn";

interface SectionProps {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  id?: string;
}

/** A titled block of a page without a frame (for tables, which have their own): `<Section title="Schema">`. */
export function Section({ title, description, actions, children, className, id }: SectionProps) {
  return (
    <section id={id} className={cn("min-w-0", className)}>
      <div className="mb-2.5 flex items-end justify-between gap-4">
        <div className="min-w-0">
          <h2 className="text-sm font-semibold text-zinc-900">{title}</h2>
          {description && <p className="mt-0.5 text-xs text-zinc-500">{description}</p>}
        </div>
        {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
