import { ChevronLeft, ChevronRight } from "lucide-react";
import { Button } from "./button";
import { cn } from "./cn";
import { formatCount } from "./format";

interface PaginationProps {
  /** 1-based current page. */
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
  className?: string;
}

/** "51–100 of 10,000" with previous/next buttons; renders nothing when everything fits one page. */
export function Pagination({ page, pageSize, total, onPage, className }: PaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1 && page <= 1) return null;
  const first = Math.min((page - 1) * pageSize + 1, total);
  const last = Math.min(page * pageSize, total);
  return (
    <nav aria-label="Pagination" className={cn("flex items-center justify-between gap-4 text-sm", className)}>
      <p className="text-zinc-500 tabular-nums">
        {total === 0 ? "0" : `${formatCount(first)}–${formatCount(last)}`} of {formatCount(total)}
      </p>
      <div className="flex items-center gap-2">
        <span className="mr-1 text-zinc-500 tabular-nums">
          Page {formatCount(page)} of {formatCount(pages)}
        </span>
        <Button size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
          <ChevronLeft className="size-3.5" aria-hidden />
          Previous
        </Button>
        <Button size="sm" disabled={page >= pages} onClick={() => onPage(page + 1)} aria-label="Next page">
          Next
          <ChevronRight className="size-3.5" aria-hidden />
        </Button>
      </div>
    </nav>
  );
}
