import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, Skeleton, SkeletonTable } from "@/components/ui/skeleton";

/** Stands in for a dataset's page: header, the rows beside the facts column. */
export function DatasetPageSkeleton() {
  return (
    <PageBody>
      {/* Its title bar has a fixed width, wider than what a phone leaves beside the sidebar. */}
      <div className="overflow-hidden">
        <HeaderSkeleton />
      </div>
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        {/* min-w-0: a grid item is otherwise as wide as the skeleton's row of cells (wider than a phone). */}
        <SkeletonTable rows={8} columns={6} className="min-w-0" />
        <div className="flex min-w-0 flex-col gap-4">
          <Skeleton className="h-72 w-full rounded-lg" />
          <Skeleton className="h-32 w-full rounded-lg" />
        </div>
      </div>
    </PageBody>
  );
}
