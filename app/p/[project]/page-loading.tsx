import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, SkeletonTable } from "@/components/ui/skeleton";

/**
 * Shown while a project page renders on the server: each page's own loading.tsx re-exports it.
 * Not a loading.tsx of the project itself, whose boundary would stream the shell before an object
 * page could answer 404 (the object pages check in their layout, outside any boundary).
 */
export default function Loading() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <SkeletonTable rows={8} columns={6} />
    </PageBody>
  );
}
