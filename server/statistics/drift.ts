import "server-only";
import { raiseDriftAlert } from "../alerts/drift";
import type { Ctx } from "../core/context";

/** One feature whose latest statistics drifted from its previous ones (PSI at or above the threshold). */
export interface DriftDetected {
  projectId: string;
  featureViewId: string;
  featureView: string;
  feature: string;
  /** The materialization run the statistics describe; null for an on-demand computation. */
  runId: string | null;
  computationId: string;
  psi: number;
  threshold: number;
}

/**
 * The single place drift leaves the statistics: called once per drifted feature, after its row is
 * committed. It logs, and tells the project's alert rules that listen to `drift` (server/alerts,
 * docs/adr/0032): once per (rule, computation, feature), so a redelivered job alerts no one twice.
 * The caller catches: the statistics are stored whatever an alert does.
 */
export async function onDriftDetected(ctx: Ctx, drift: DriftDetected): Promise<void> {
  ctx.log.warn(
    {
      projectId: drift.projectId,
      featureView: drift.featureView,
      feature: drift.feature,
      runId: drift.runId,
      computationId: drift.computationId,
      psi: drift.psi,
      threshold: drift.threshold,
    },
    "feature drift detected",
  );
  // A run's computation id is its run id; an on-demand one has its own.
  await raiseDriftAlert(ctx, {
    projectId: drift.projectId,
    featureViewId: drift.featureViewId,
    feature: drift.feature,
    runId: drift.computationId,
    psi: drift.psi,
    threshold: drift.threshold,
  });
}
