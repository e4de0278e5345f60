"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ErrorState, errorMessage } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Section } from "@/components/ui/section";
import { Skeleton } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * The drift threshold: the population stability index (PSI) at or above which a feature's latest
 * statistics are flagged as drifted from the previous run's (docs/adr/0033-feature-statistics.md).
 */
export function StatisticsSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { can } = useProjectRole(project);
  const settings = useQuery(trpc.statistics.settings.queryOptions({ project }));
  const save = useMutation(
    trpc.statistics.setThreshold.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.statistics.pathFilter()),
    }),
  );
  const [value, setValue] = useState<string | undefined>(undefined);
  const shown = value ?? (settings.data ? String(settings.data.driftThreshold) : "");

  return (
    <Section
      id="statistics"
      title="Feature statistics"
      description="Each run's statistics are compared with the previous run's by their population stability index (PSI): under 0.1 is stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one."
    >
      {settings.isPending ? (
        <Skeleton className="h-24" />
      ) : settings.error ? (
        <ErrorState error={settings.error} title="Could not load the statistics settings" />
      ) : (
        <Card>
          <form
            className="flex flex-wrap items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate({ project, driftThreshold: Number(shown) });
            }}
          >
            <Field
              label="Drift threshold (PSI)"
              hint={
                settings.data.isDefault
                  ? "The default; a feature at or above it is marked as drifted."
                  : undefined
              }
              error={save.isError ? errorMessage(save.error) : undefined}
            >
              <Input
                type="number"
                step="0.01"
                min="0.01"
                max="10"
                value={shown}
                disabled={!can("jobs.run")}
                onChange={(e) => setValue(e.target.value)}
                className="w-32"
              />
            </Field>
            {can("jobs.run") && (
              <Button type="submit" size="sm" disabled={save.isPending || shown === ""}>
                {save.isPending ? "Saving…" : "Save"}
              </Button>
            )}
            {save.isSuccess && (
              <span role="status" className="text-sm text-emerald-700">
                Saved.
              </span>
            )}
          </form>
        </Card>
      )}
    </Section>
  );
}
