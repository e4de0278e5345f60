import { TRPCClientError } from "@trpc/client";
import { CircleX } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "./button";
import { cn } from "./cn";

const GENERIC =
  "Something went wrong on the server. Try again in a moment; if it keeps failing, check the server log.";

/**
 * What a user may read of an error: a domain error's message (it names the field), a generic line
 * for internal errors and anything unexpected.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = String(error.data?.code ?? "");
    if (code === "BAD_REQUEST") return zodIssuesText(error.message) ?? error.message;
    if (code && code !== "INTERNAL_SERVER_ERROR") return error.message;
    if (!code && error.message.startsWith("Failed to fetch")) return "Cannot reach the Quiver server.";
  }
  return GENERIC;
}

/**
 * tRPC's input validation sends zod's issue list as JSON; this makes it "name: must start with ...".
 * Services' own errors are already sentences and pass through.
 */
function zodIssuesText(message: string): string | null {
  if (!message.startsWith("[")) return null;
  try {
    const issues = JSON.parse(message) as { path?: unknown[]; message?: string }[];
    if (!Array.isArray(issues) || issues.length === 0) return null;
    return issues.map((i) => [i.path?.join("."), i.message].filter(Boolean).join(": ")).join("; ");
  } catch {
    return null;
  }
}

/** True for a tRPC NOT_FOUND, to show "not found" pages instead of a failure. */
export function isNotFound(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data?.code === "NOT_FOUND";
}

interface ErrorStateProps {
  error: unknown;
  title?: ReactNode;
  /** Shows a "Try again" button calling this. */
  retry?: () => void;
  /** Extra actions (e.g. a link back). */
  action?: ReactNode;
  className?: string;
}

/** A failed load: `<ErrorState error={query.error} retry={() => query.refetch()} />`. */
export function ErrorState({
  error,
  title = "Could not load this",
  retry,
  action,
  className,
}: ErrorStateProps) {
  return (
    <div
      role="alert"
      className={cn("flex items-start gap-3 rounded-lg border border-red-200 bg-red-50/60 p-4", className)}
    >
      <CircleX className="mt-0.5 size-5 shrink-0 text-red-500" aria-hidden />
      <div className="min-w-0">
        <h3 className="text-sm font-semibold text-red-900">{title}</h3>
        <p className="mt-1 text-sm break-words text-red-800">{errorMessage(error)}</p>
        {(retry || action) && (
          <div className="mt-3 flex items-center gap-2">
            {retry && (
              <Button size="sm" onClick={retry}>
                Try again
              </Button>
            )}
            {action}
          </div>
        )}
      </div>
    </div>
  );
}
