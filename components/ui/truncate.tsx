import type { ReactNode } from "react";
import { cn } from "./cn";

/** One line of text cut with an ellipsis, the full text in its tooltip: `<Truncate text={name} />`. */
export function Truncate({
  text,
  children,
  className,
  mono,
}: {
  text: string;
  /** What to render instead of the plain text (e.g. a link); the tooltip still shows `text`. */
  children?: ReactNode;
  className?: string;
  mono?: boolean;
}) {
  return (
    <span title={text} className={cn("block min-w-0 truncate", className)}>
      {/* Mono text sits in the sans line box, so mono and sans cells share one baseline. */}
      {mono ? <span className="font-mono text-[13px]">{children ?? text}</span> : (children ?? text)}
    </span>
  );
}
