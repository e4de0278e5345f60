import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "./cn";

interface EmptyStateProps {
  title: ReactNode;
  description?: ReactNode;
  icon?: LucideIcon;
  /** Buttons or links offering the next step. */
  action?: ReactNode;
  className?: string;
}

/** "Nothing here yet" panel with a next step: `<EmptyState icon={Inbox} title="No entities" action={...} />`. */
export function EmptyState({ title, description, icon: Icon, action, className }: EmptyStateProps) {
  return (
    <div
      className={cn(
        "flex flex-col items-center justify-center rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-14 text-center",
        className,
      )}
    >
      {Icon && (
        <div className="mb-3 flex size-10 items-center justify-center rounded-full bg-zinc-100 text-zinc-500">
          <Icon className="size-5" aria-hidden />
        </div>
      )}
      <h3 className="text-sm font-semibold text-zinc-900">{title}</h3>
      {description && <div className="mt-1 max-w-md text-sm text-zinc-500">{description}</div>}
      {action && <div className="mt-4 flex items-center gap-2">{action}</div>}
    </div>
  );
}
