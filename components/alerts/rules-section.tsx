"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BellPlus, Plus } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Section } from "@/components/ui/section";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import { EVENT_LABEL, FORMAT_LABEL } from "./alert-words";
import { CreateRuleForm } from "./create-rule-form";
import { SecretReveal } from "./secret-reveal";

/** The project's alert rules (owners): create (the secret shows once), enable or disable, test, delete. */
export function RulesSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.alerts.rules.list.queryOptions({ project }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.alerts.rules.list.queryKey({ project }) }),
      queryClient.invalidateQueries({ queryKey: trpc.alerts.deliveries.list.pathKey() }),
    ]);
  const update = useMutation(trpc.alerts.rules.update.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.alerts.rules.delete.mutationOptions({ onSettled: refresh }));
  const test = useMutation(trpc.alerts.rules.test.mutationOptions({ onSettled: refresh }));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const failed = update.error ?? remove.error ?? test.error;

  return (
    <Section
      title="Rules"
      description="Which events go to which webhook. Deliveries are signed with the rule's secret and retried with backoff."
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
            Create rule
          </Button>
        )
      }
    >
      {creating && (
        <CreateRuleForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={async (name, secret) => {
            setCreating(false);
            setCreated({ name, secret });
            await refresh();
          }}
        />
      )}
      {created && (
        <SecretReveal name={created.name} secret={created.secret} onDone={() => setCreated(null)} />
      )}
      {failed && <ErrorState className="mb-3" error={failed} title="Could not change the rule" />}
      {test.data && (
        <p role="status" className="mb-3 text-sm text-zinc-600">
          Test delivery to “{test.data.rule}”: {test.data.status}
          {test.data.responseCode !== null && ` (HTTP ${test.data.responseCode})`}
          {test.data.lastError && test.data.status !== "delivered" && ` — ${test.data.lastError}`}
        </p>
      )}
      {rules.isPending ? (
        <SkeletonTable rows={2} columns={6} />
      ) : rules.isError ? (
        <ErrorState error={rules.error} title="Could not load alert rules" retry={() => rules.refetch()} />
      ) : rules.data.length === 0 ? (
        <EmptyState
          icon={BellPlus}
          title="No alert rules yet"
          description="Create a rule to have breaches, failed runs and recoveries sent to a webhook: Slack, Teams, or your own receiver."
        />
      ) : (
        <Table aria-label="Alert rules">
          <THead>
            <tr>
              <TH className="w-[16%]">Name</TH>
              <TH>Webhook</TH>
              <TH className="w-20">Format</TH>
              <TH className="w-[22%]">Events</TH>
              <TH className="w-32">View</TH>
              <TH className="w-24">Status</TH>
              <TH className="w-64" />
            </tr>
          </THead>
          <TBody>
            {rules.data.map((r) => (
              <TR key={r.id} data-testid={`alert-rule-${r.name}`}>
                <TD className="font-medium text-zinc-900">
                  <Truncate text={r.name} />
                </TD>
                <TD className="font-mono text-xs">
                  <Truncate text={r.url} />
                </TD>
                <TD>{FORMAT_LABEL[r.format]}</TD>
                <TD>
                  <span className="flex flex-wrap gap-1">
                    {r.events.map((e) => (
                      <Badge key={e} tone="indigo">
                        {EVENT_LABEL[e]}
                      </Badge>
                    ))}
                  </span>
                </TD>
                <TD className="font-mono text-[13px]">
                  {r.featureView ? (
                    <Truncate text={r.featureView} />
                  ) : (
                    <span className="text-zinc-400">every view</span>
                  )}
                </TD>
                <TD>{r.enabled ? <Badge tone="green">enabled</Badge> : <Badge>disabled</Badge>}</TD>
                <TD className="text-right">
                  {confirming === r.id ? (
                    <span className="inline-flex items-center gap-1.5">
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={remove.isPending}
                        onClick={() =>
                          remove.mutate({ project, id: r.id }, { onSettled: () => setConfirming(null) })
                        }
                      >
                        Delete rule and log
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                        Cancel
                      </Button>
                    </span>
                  ) : (
                    <span className="inline-flex items-center gap-1.5">
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={test.isPending}
                        onClick={() => test.mutate({ project, id: r.id })}
                      >
                        Send test
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={update.isPending}
                        onClick={() => update.mutate({ project, id: r.id, enabled: !r.enabled })}
                      >
                        {r.enabled ? "Disable" : "Enable"}
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setConfirming(r.id)}>
                        Delete…
                      </Button>
                    </span>
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
