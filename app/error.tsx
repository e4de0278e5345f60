"use client";

import { Logo } from "@/components/shell/logo";
import { ErrorState } from "@/components/ui/error-state";

/** Last resort for errors thrown while rendering on the server (e.g. the database is down). */
export default function RootError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main
      id="main"
      tabIndex={-1}
      className="flex min-h-screen focus:outline-none flex-col items-center justify-center bg-zinc-50 px-6"
    >
      <Logo className="mb-8" />
      <ErrorState
        className="w-full max-w-lg bg-white"
        error={error}
        title="Quiver could not load this page"
        retry={reset}
      />
    </main>
  );
}
