"use client";

import { useProjectRole } from "@/components/auth/use-project-role";
import { refusalWords } from "@/components/forms/role-words";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { DeliveriesSection } from "./deliveries-section";
import { IncidentsTable } from "./incidents-table";
import { RulesSection } from "./rules-section";

/**
 * The Alerts page: incidents (the project's breach history, open ones first by time), the rules
 * (owners) and the delivery log. Rules send webhooks; any member may read what happened.
 */
export function AlertsPage({ project }: { project: string }) {
  const { role, can } = useProjectRole(project);
  return (
    <PageBody className="max-w-[1300px]">
      <PageHeader
        title="Alerts"
        description="Breaches of freshness SLAs and failed runs, the webhooks they are sent to, and every delivery."
      />
      <div className="flex flex-col gap-10">
        <Section
          title="Incidents"
          description="One per view and breach, from detection to recovery; an alert goes out when one opens and when it closes."
        >
          <IncidentsTable project={project} />
        </Section>
        {can("alerts.manage") ? (
          <RulesSection project={project} />
        ) : (
          role && (
            <Section title="Rules">
              <p className="text-sm text-zinc-500">{refusalWords("alerts.manage", role)}</p>
            </Section>
          )
        )}
        <DeliveriesSection project={project} />
      </div>
    </PageBody>
  );
}
