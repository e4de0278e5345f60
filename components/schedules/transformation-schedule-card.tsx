"use client";

import { ScheduleCard } from "./schedule-panel";

/**
 * A batch transformation's schedule, for its page: the view's schedule card on the
 * transformations.*Schedule operations. Each tick runs the transformation over [watermark, tick)
 * when its SQL allows it, else as a full refresh; a tick is skipped while a run still goes.
 */
export function TransformationScheduleCard({
  project,
  transformation,
}: {
  project: string;
  transformation: string;
}) {
  return (
    <ScheduleCard
      project={project}
      target={{ transformation }}
      description="Runs the transformation on its own: incrementally from its watermark when the SQL allows, else a full refresh; skipped while the previous run still goes."
      unscheduled="No schedule: this transformation runs only when someone starts a run."
    />
  );
}
