"use client";

import { type ReactNode, useLayoutEffect, useRef, useState } from "react";
import { cn } from "./cn";

/**
 * One line of text, cut with an ellipsis only when its box is too narrow: `<Truncate text={name} />`.
 * The whole text stays in the DOM (screen readers and find-in-page get all of it); the tooltip
 * (title) appears only when the text is really cut, measured, or when `text` says more than what
 * is shown (a name with its description). Give the box room: a cell or a `min-w-0` flex child.
 */
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
  const ref = useRef<HTMLSpanElement>(null);
  const [cut, setCut] = useState(false);
  const [shown, setShown] = useState<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new text in a box of the same size is measured again
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      setCut(el.scrollWidth > el.clientWidth + 1);
      setShown(el.textContent);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [text]);

  const title = cut || (shown !== null && shown !== text) ? text : undefined;
  return (
    <span ref={ref} title={title} data-truncate="" className={cn("block min-w-0 truncate", className)}>
      {/* Mono text sits in the sans line box, so mono and sans cells share one baseline. */}
      {mono ? <span className="font-mono text-[13px]">{children ?? text}</span> : (children ?? text)}
    </span>
  );
}
