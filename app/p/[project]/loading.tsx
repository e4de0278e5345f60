import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, SkeletonTable } from "@/components/ui/skeleton";

/** Shown while a project page renders on the server. */
export default function Loading() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <SkeletonTable rows={8} columns={6} />
    </PageBody>
  );
}
