import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, Skeleton, SkeletonTable } from "@/components/ui/skeleton";

/** Stands in for a dataset's page: header, the rows beside the facts column. */
export function DatasetPageSkeleton() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <SkeletonTable rows={8} columns={6} />
        <div className="flex flex-col gap-4">
          <Skeleton className="h-72 w-full rounded-lg" />
          <Skeleton className="h-32 w-full rounded-lg" />
        </div>
      </div>
    </PageBody>
  );
}
