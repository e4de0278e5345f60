"use client";

import { ObjectLineage } from "@/components/lineage/object-lineage";
import { lineageNodeId } from "@/server/registry/lineage/types";

/** A feature view's lineage on its page: the shared object lineage panel, focused on the view. */
export function ViewLineage({ project, featureView }: { project: string; featureView: string }) {
  return <ObjectLineage project={project} nodeId={lineageNodeId("feature_view", featureView)} />;
}
