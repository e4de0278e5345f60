"use client";

import { ArrowLeft, Lock, SearchX } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState, isNotFound } from "@/components/ui/error-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";

interface ObjectFormPageProps {
  /** "New entity" or <>Edit <code>driver</code></>. */
  title: ReactNode;
  description: ReactNode;
  back: { href: string; label: string };
  meta?: ReactNode;
  /**
   * Why the caller's role cannot use this form (shown instead of it, in plain words); null when
   * it can, undefined while the role is loading.
   */
  refusal: string | null | undefined;
  /** The load of what the form needs (the edited object, the lists it picks from). */
  load: { error: unknown; pending: boolean; what: string };
  children: ReactNode;
}

/** A form page's title: "Edit <name>" (the name in mono) when editing, else `creating`. */
export function formTitle(editName: string | undefined, creating: string): ReactNode {
  return editName ? (
    <>
      Edit <span className="font-mono">{editName}</span>
    </>
  ) : (
    creating
  );
}

/**
 * The page around a create or edit form of a registry object: header with a back link, then the
 * form, or why the role cannot use it, or the object's load failure.
 */
export function ObjectFormPage({
  title,
  description,
  back,
  meta,
  refusal,
  load,
  children,
}: ObjectFormPageProps) {
  const eyebrow = (
    <Link href={back.href} className="inline-flex items-center gap-1 hover:text-zinc-900">
      <ArrowLeft className="size-3.5" aria-hidden />
      {back.label}
    </Link>
  );
  let body: ReactNode;
  if (refusal === undefined) body = <FormPageSkeleton />;
  else if (refusal)
    body = (
      <div data-testid="role-refusal">
        <EmptyState
          icon={Lock}
          title="Your role cannot do this"
          description={refusal}
          action={<ButtonLink href={back.href}>{back.label}</ButtonLink>}
        />
      </div>
    );
  else if (load.error)
    body = isNotFound(load.error) ? (
      <EmptyState
        icon={SearchX}
        title={`${load.what} not found`}
        description={load.error instanceof Error ? load.error.message : undefined}
        action={<ButtonLink href={back.href}>{back.label}</ButtonLink>}
      />
    ) : (
      <ErrorState error={load.error} title="Could not load the form" />
    );
  else if (load.pending) body = <FormPageSkeleton />;
  else body = children;
  return (
    <PageBody>
      <PageHeader eyebrow={eyebrow} title={title} meta={meta} description={description} />
      {body}
    </PageBody>
  );
}

function FormPageSkeleton() {
  return (
    <div className="flex max-w-4xl flex-col gap-6" role="status" aria-label="Loading">
      <Skeleton className="h-64 w-full rounded-lg" />
      <Skeleton className="h-32 w-full rounded-lg" />
    </div>
  );
}
