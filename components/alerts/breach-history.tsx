"use client";

import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Section } from "@/components/ui/section";
import { useTRPC } from "@/trpc/client";
import { ALERTS_REFRESH_MS, IncidentsTable } from "./incidents-table";

/** A feature view's incidents, with a marker while one is open (the view's page). */
export function BreachHistory({ project, featureView }: { project: string; featureView: string }) {
  const trpc = useTRPC();
  const open = useQuery({
    ...trpc.alerts.incidents.list.queryOptions({ project, featureView, open: true, limit: 1 }),
    refetchInterval: ALERTS_REFRESH_MS,
  });
  return (
    <Section
      title={
        <span className="inline-flex items-center gap-2">
          Breach history
          {open.data && open.data.total > 0 && <Badge tone="red">in breach now</Badge>}
        </span>
      }
      description="When this view was late, never materialized, or failing, and for how long."
    >
      <IncidentsTable project={project} featureView={featureView} />
    </Section>
  );
}
