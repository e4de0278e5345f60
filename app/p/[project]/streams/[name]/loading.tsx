import { ObjectSkeleton } from "@/components/objects/object-sections";

/** Shown while a stream view's page renders on the server. */
export default function Loading() {
  return <ObjectSkeleton />;
}
