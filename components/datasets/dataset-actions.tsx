"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CircleX, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { sentence, serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { datasetHref } from "./links";

interface ConfirmProps {
  /** The first button ("Cancel build…"). */
  label: string;
  /** The confirming button ("Cancel build"). */
  confirmLabel: string;
  /** What the confirm step says happens. */
  question: string;
  keepLabel: string;
  icon: typeof Trash2;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
  testId: string;
}

/** A button that asks once more before it acts; a refusal shows under it. */
function ConfirmButton(p: ConfirmProps) {
  const [confirming, setConfirming] = useState(false);
  const Icon = p.icon;
  if (!confirming)
    return (
      <Button
        size="sm"
        variant="secondary"
        data-testid={p.testId}
        title={p.label}
        onClick={() => setConfirming(true)}
      >
        <Icon className="size-3.5" aria-hidden />
        {/* A phone shows the icon only (the page is narrow beside the sidebar). */}
        <span className="max-sm:sr-only">{p.label}</span>
      </Button>
    );
  return (
    <span className="inline-flex max-w-full flex-col items-end gap-1">
      <span className="inline-flex flex-wrap items-center justify-end gap-1.5">
        <span className="text-xs text-zinc-600">{p.question}</span>
        <Button
          size="sm"
          variant="danger"
          data-testid={`confirm-${p.testId}`}
          disabled={p.pending}
          onClick={p.onConfirm}
        >
          {p.pending && <Spinner className="size-3.5 text-white" label="Working" />}
          {p.confirmLabel}
        </Button>
        <Button size="sm" variant="ghost" disabled={p.pending} onClick={() => setConfirming(false)}>
          {p.keepLabel}
        </Button>
      </span>
      {p.error && (
        <span role="alert" className="text-xs break-words text-red-700">
          {p.error}
        </span>
      )}
    </span>
  );
}

/** Stops a queued or building dataset; the page refreshes to show it cancelled. */
export function CancelBuildButton({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.datasets.cancel.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  return (
    <ConfirmButton
      label="Cancel build…"
      confirmLabel="Cancel build"
      keepLabel="Keep building"
      question="Stop building this dataset?"
      icon={CircleX}
      testId="cancel-dataset"
      pending={cancel.isPending}
      error={error}
      onConfirm={() => {
        setError(null);
        cancel.mutate(
          { project, name },
          {
            onError: (e) => setError(sentence(serverError(e).message)),
            onSettled: () => queryClient.invalidateQueries(trpc.datasets.pathFilter()),
          },
        );
      }}
    />
  );
}

/** Deletes the dataset and its stored rows, then goes back to the list. */
export function DeleteDatasetButton({ project, name }: { project: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(trpc.datasets.delete.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  return (
    <ConfirmButton
      label="Delete…"
      confirmLabel="Delete dataset"
      keepLabel="Keep"
      question="Delete it and its stored rows?"
      icon={Trash2}
      testId="delete-dataset"
      pending={remove.isPending || remove.isSuccess}
      error={error}
      onConfirm={() => {
        setError(null);
        remove.mutate(
          { project, name },
          {
            onSuccess: async () => {
              router.push(datasetHref.list(project));
              await queryClient.invalidateQueries(trpc.datasets.list.pathFilter());
            },
            onError: (e) => setError(sentence(serverError(e).message)),
          },
        );
      }}
    />
  );
}
