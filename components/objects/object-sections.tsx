import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, Skeleton, SkeletonTable } from "@/components/ui/skeleton";

/**
 * The layout of every object page: header, an optional notice (deprecation), the definition
 * beside a side column, then full-width panels in the order given (lineage, reads, previews…).
 */
export function ObjectSections({
  header,
  notice,
  main,
  side,
  children,
}: {
  header: ReactNode;
  notice?: ReactNode;
  main: ReactNode;
  side?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <PageBody>
      {header}
      <div className="flex flex-col gap-6">
        {notice}
        {side ? (
          <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
            <div className="flex min-w-0 flex-col gap-6">{main}</div>
            <div className="flex min-w-0 flex-col gap-6">{side}</div>
          </div>
        ) : (
          main
        )}
        {children}
      </div>
    </PageBody>
  );
}

/** While the object loads: the page's shape in grey. */
export function ObjectSkeleton() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <SkeletonTable rows={5} columns={4} />
        <div className="flex flex-col gap-4">
          <Skeleton className="h-28 w-full rounded-lg" />
          <Skeleton className="h-40 w-full rounded-lg" />
        </div>
      </div>
      <Skeleton className="mt-6 h-[400px] w-full rounded-lg" />
    </PageBody>
  );
}

/** The object could not be loaded: not found (gone since the server's check), or a failure. */
export function ObjectLoadError({
  error,
  missing,
  what,
  icon,
  back,
  retry,
}: {
  error: unknown;
  /** Says it is missing whatever the error (the object loaded but lacks the part asked for). */
  missing?: string;
  what: string;
  icon: LucideIcon;
  back: { href: string; label: string };
  retry: () => void;
}) {
  return (
    <PageBody>
      {missing || isNotFound(error) ? (
        <EmptyState
          icon={icon}
          title={`${what} not found`}
          description={missing ?? (error instanceof Error ? error.message : undefined)}
          action={<ButtonLink href={back.href}>{back.label}</ButtonLink>}
        />
      ) : (
        <ErrorState error={error} title={`Could not load this ${what.toLowerCase()}`} retry={retry} />
      )}
    </PageBody>
  );
}
