"use client";

import { ErrorState } from "@/components/ui/error-state";
import { PageBody } from "@/components/ui/page-header";

/** A page of the project failed on the server; the sidebar stays usable. */
export default function ProjectError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <PageBody>
      <ErrorState error={error} title="Could not load this page" retry={reset} />
    </PageBody>
  );
}
