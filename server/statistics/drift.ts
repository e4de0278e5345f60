import "server-only";
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
 * committed. It logs; alert rules (a `drift` event) are wired here at merge. Must not throw: the
 * statistics are stored whatever an alert does.
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
}
