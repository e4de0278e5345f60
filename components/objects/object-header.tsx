import { ArrowLeft, TriangleAlert } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { TagList } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import type { Deprecation } from "./deprecation";

export { type Deprecation, deprecationOf } from "./deprecation";

/** "Deprecated 3 d ago: <note>. Use <replacement> instead." */
export function DeprecationBanner({
  deprecation,
  replacementHref,
}: {
  deprecation: Deprecation;
  /** The replacement's page; the name is shown without a link when absent. */
  replacementHref?: string;
}) {
  return (
    <div
      role="status"
      data-testid="deprecation-banner"
      className="flex items-start gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-900"
    >
      <TriangleAlert className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden />
      <div className="min-w-0 flex-1 wrap-anywhere">
        <span className="font-medium">Deprecated</span> <RelativeTime date={deprecation.at} />
        {deprecation.note ? <>: {deprecation.note}</> : "."}
        {deprecation.replacedBy && (
          <>
            {" "}
            Use{" "}
            {replacementHref ? (
              <Link href={replacementHref} className="font-mono font-medium underline underline-offset-2">
                {deprecation.replacedBy}
              </Link>
            ) : (
              <span className="font-mono font-medium">{deprecation.replacedBy}</span>
            )}{" "}
            instead.
          </>
        )}
      </div>
    </div>
  );
}

interface ObjectHeaderProps {
  /** The list the object belongs to, for the back link. */
  back: { href: string; label: string };
  name: string;
  /** Badges after the name (kind, type, version). */
  meta?: ReactNode;
  description?: string;
  owner?: string;
  tags?: Record<string, string>;
  /** More facts on the owner line ("Registered 3 d ago"). */
  facts?: ReactNode;
  /**
   * Buttons on the right: edit, delete, deprecate. The forms come in another change; this slot is
   * where they go, so every object page puts them in one place.
   */
  actions?: ReactNode;
}

/** The top of an object page: back link, name, badges, description, owner and tags, actions. */
export function ObjectHeader({
  back,
  name,
  meta,
  description,
  owner,
  tags,
  facts,
  actions,
}: ObjectHeaderProps) {
  return (
    <PageHeader
      eyebrow={
        <Link href={back.href} className="inline-flex items-center gap-1 hover:text-zinc-900">
          <ArrowLeft className="size-3.5" aria-hidden />
          {back.label}
        </Link>
      }
      title={
        // Long names break anywhere rather than widen the page; the full name is its tooltip.
        <span className="font-mono break-all whitespace-normal" title={name} data-testid="object-name">
          {name}
        </span>
      }
      meta={meta}
      actions={actions}
      description={
        <div className="flex flex-col gap-2.5">
          {description ? <p className="text-zinc-600 wrap-anywhere">{description}</p> : null}
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1.5 text-xs text-zinc-500">
            <span className="min-w-0 wrap-anywhere">
              Owner <span className="font-medium text-zinc-700">{owner || "—"}</span>
            </span>
            {facts}
            {tags && Object.keys(tags).length > 0 && <TagList tags={tags} max={8} wrap />}
          </div>
        </div>
      }
    />
  );
}
