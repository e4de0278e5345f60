import { DatasetPageSkeleton } from "@/components/datasets/skeletons";

/** Shown while a dataset's page renders on the server. */
export default function Loading() {
  return <DatasetPageSkeleton />;
}
