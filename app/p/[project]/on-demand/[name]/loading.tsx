import { ObjectSkeleton } from "@/components/objects/object-sections";

/** Shown while an on-demand view's page renders on the server. */
export default function Loading() {
  return <ObjectSkeleton />;
}
