"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import { CreateKeyForm } from "./create-key-form";
import { NewKeyReveal } from "./new-key-reveal";

interface KeyStatus {
  revokedAt: Date | null;
  expiresAt: Date | null;
}

function StatusBadge({ k }: { k: KeyStatus }) {
  if (k.revokedAt) return <Badge tone="red">revoked</Badge>;
  if (k.expiresAt && k.expiresAt.getTime() <= Date.now()) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}

/** The project's API keys: create (the key shows once), list with last use, revoke. */
export function ApiKeysSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.access.keys.list.queryOptions({ project }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.access.keys.list.queryKey({ project }) });
  const revoke = useMutation(trpc.access.keys.revoke.mutationOptions({ onSettled: refresh }));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  return (
    <Section
      title="API keys"
      description={
        <>
          Keys let programs call the REST API (retrieval, push, materialize) with one role in this project.
          Send one as <code className="font-mono">Authorization: Bearer &lt;key&gt;</code> or{" "}
          <code className="font-mono">x-api-key</code>; never in a URL.
        </>
      }
      actions={
        !creating && (
          <Button
            variant="primary"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            <Plus className="size-4" aria-hidden />
            Create key
          </Button>
        )
      }
    >
      {creating && (
        <CreateKeyForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={async (name, key) => {
            setCreating(false);
            setCreated({ name, key });
            await refresh();
          }}
        />
      )}
      {created && <NewKeyReveal name={created.name} secret={created.key} onDone={() => setCreated(null)} />}
      {revoke.error && <ErrorState className="mb-3" error={revoke.error} title="Could not revoke the key" />}
      {keys.isPending ? (
        <SkeletonTable rows={3} columns={8} />
      ) : keys.isError ? (
        <ErrorState error={keys.error} title="Could not load API keys" retry={() => keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title="No API keys yet"
          description="Create a key for each program that reads or writes feature values, with the lowest role it needs."
        />
      ) : (
        <Table aria-label="API keys">
          <THead>
            <tr>
              <TH className="w-[16%]">Name</TH>
              <TH className="w-40">Prefix</TH>
              <TH className="w-24">Role</TH>
              <TH>Created by</TH>
              <TH className="w-24">Created</TH>
              <TH className="w-28">Expires</TH>
              <TH className="w-24">Last used</TH>
              <TH className="w-24">Status</TH>
              <TH className="w-40" />
            </tr>
          </THead>
          <TBody>
            {keys.data.map((k) => (
              <TR key={k.id} data-testid={`api-key-${k.name}`}>
                <TD className="font-medium text-zinc-900">
                  <Truncate text={k.name} />
                </TD>
                <TD className="font-mono text-xs">{k.prefix}…</TD>
                <TD>
                  <Badge tone="indigo">{k.role}</Badge>
                </TD>
                <TD>
                  <Truncate text={k.createdBy} />
                </TD>
                <TD>
                  <RelativeTime date={k.createdAt} />
                </TD>
                <TD>
                  {k.expiresAt ? (
                    <time dateTime={k.expiresAt.toISOString()} title={k.expiresAt.toISOString()}>
                      {k.expiresAt.toISOString().slice(0, 10)}
                    </time>
                  ) : (
                    <span className="text-zinc-400">never</span>
                  )}
                </TD>
                <TD>
                  {k.lastUsedAt ? (
                    <RelativeTime date={k.lastUsedAt} />
                  ) : (
                    <span className="text-zinc-400">never</span>
                  )}
                </TD>
                <TD>
                  <StatusBadge k={k} />
                </TD>
                <TD className="text-right">
                  {k.revokedAt ? null : confirming === k.id ? (
                    <span className="inline-flex items-center gap-1.5">
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={revoke.isPending}
                        onClick={() =>
                          revoke.mutate({ project, id: k.id }, { onSettled: () => setConfirming(null) })
                        }
                      >
                        Revoke
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                        Cancel
                      </Button>
                    </span>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => setConfirming(k.id)}>
                      Revoke…
                    </Button>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Section>
  );
}
