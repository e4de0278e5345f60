import type { ReactNode } from "react";
import { cn } from "./cn";

interface PageHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  /** Buttons on the right. */
  actions?: ReactNode;
  /** Badges right after the title (version, status). */
  meta?: ReactNode;
  /** A small line above the title, e.g. a back link. */
  eyebrow?: ReactNode;
  className?: string;
}

/** The top of every page: `<PageHeader title="Entities" description="…" actions={<ButtonLink …/>} />`. */
export function PageHeader({ title, description, actions, meta, eyebrow, className }: PageHeaderProps) {
  return (
    <header
      className={cn(
        // A margin in className replaces the default one (cn does not merge conflicting classes).
        !/(^|\s)m[by]?-/.test(className ?? "") && "mb-6",
        // Phones stack the actions under the title; wider screens put them on its right.
        "flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-start sm:justify-between sm:gap-x-6",
        className,
      )}
    >
      <div className="min-w-0 flex-1">
        {eyebrow && <div className="mb-1.5 text-xs text-zinc-500">{eyebrow}</div>}
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          {/* A long name wraps (anywhere, for identifiers without spaces) rather than being cut. */}
          <h1 className="min-w-0 text-xl font-semibold tracking-tight [overflow-wrap:anywhere] text-zinc-900">
            {title}
          </h1>
          {meta}
        </div>
        {description && <div className="mt-1 max-w-3xl text-sm text-zinc-500">{description}</div>}
      </div>
      {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
    </header>
  );
}

/** The padded column every page renders in (narrower padding on phones). */
export function PageBody({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <div className={cn("mx-auto w-full max-w-[1400px] px-4 py-5 sm:px-8 sm:py-7", className)}>{children}</div>
  );
}
