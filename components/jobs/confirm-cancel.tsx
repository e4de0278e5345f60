"use client";

import { CircleX } from "lucide-react";
import { useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";

/**
 * "Cancel…", then a confirm step ("Cancel <what>" / "Keep"); a refusal (the job finished meanwhile,
 * say) shows inline. `cancel` runs the mutation; it resolves on success and rejects with the error.
 */
export function ConfirmCancel({
  what,
  testId,
  cancel,
}: {
  /** "run", "build": the confirm button reads "Cancel <what>". */
  what: string;
  /** data-testid of the first button; the confirm button's is `confirm-<testId>`. */
  testId: string;
  cancel: () => Promise<unknown>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setError(null);
    setPending(true);
    try {
      await cancel();
      setConfirming(false);
    } catch (e) {
      setError(serverError(e).message);
    } finally {
      setPending(false);
    }
  }

  if (!confirming)
    return (
      <Button size="sm" variant="ghost" data-testid={testId} onClick={() => setConfirming(true)}>
        <CircleX className="size-3.5" aria-hidden />
        Cancel…
      </Button>
    );
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <span className="inline-flex flex-wrap items-center justify-end gap-1.5">
        <Button
          size="sm"
          variant="danger"
          data-testid={`confirm-${testId}`}
          disabled={pending}
          onClick={confirm}
        >
          {pending && <Spinner className="size-3.5 text-white" label="Cancelling" />}
          Cancel {what}
        </Button>
        <Button size="sm" variant="ghost" disabled={pending} onClick={() => setConfirming(false)}>
          Keep
        </Button>
      </span>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
