import { ObjectSkeleton } from "@/components/objects/object-sections";

/** Shown while a transformation's page renders on the server. */
export default function Loading() {
  return <ObjectSkeleton />;
}
