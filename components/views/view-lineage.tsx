"use client";

import { ObjectLineage } from "@/components/lineage/object-lineage";

export { lineageHref, lineagePageHref } from "@/components/lineage/object-lineage";

/** A feature view's lineage: its node in focus (components/lineage/object-lineage.tsx). */
export function ViewLineage({ project, featureView }: { project: string; featureView: string }) {
  return <ObjectLineage project={project} nodeId={`feature_view:${featureView}`} />;
}
