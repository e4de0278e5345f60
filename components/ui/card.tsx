import type { ReactNode } from "react";
import { cn } from "./cn";

interface CardProps {
  children: ReactNode;
  /** Heading of the card; with description and actions it forms a header row above a divider. */
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  /** Pads the body (default); turn off for a full-bleed table inside. */
  padded?: boolean;
  className?: string;
  id?: string;
}

/** A white bordered panel: `<Card title="Schema" padded={false}><Table>...</Table></Card>`. */
export function Card({ children, title, description, actions, padded = true, className, id }: CardProps) {
  const hasHeader = title || description || actions;
  return (
    <section id={id} className={cn("rounded-lg border border-zinc-200 bg-white shadow-xs", className)}>
      {hasHeader && (
        <header className="flex items-start justify-between gap-4 border-b border-zinc-200 px-4 py-3">
          <div className="min-w-0">
            {title && <h2 className="text-sm font-semibold text-zinc-900">{title}</h2>}
            {description && <p className="mt-0.5 text-xs text-zinc-500">{description}</p>}
          </div>
          {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
        </header>
      )}
      <div className={cn(padded && "p-4")}>{children}</div>
    </section>
  );
}

/** A label/value list: `<DescriptionList><Description label="TTL">1 d</Description></DescriptionList>`. */
export function DescriptionList({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <dl
      className={cn("grid grid-cols-[minmax(6rem,auto)_minmax(0,1fr)] gap-x-6 gap-y-2.5 text-sm", className)}
    >
      {children}
    </dl>
  );
}

/** One row of a DescriptionList. */
export function Description({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500">{label}</dt>
      <dd className="min-w-0 text-zinc-900">{children}</dd>
    </>
  );
}
