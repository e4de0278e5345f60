import { PageBody } from "@/components/ui/page-header";
import { HeaderSkeleton, Skeleton, SkeletonTable, slots } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <HeaderSkeleton />
      <Skeleton className="h-10 w-full rounded-lg" />
      <div className="mt-6 flex gap-8">
        <div className="hidden w-56 shrink-0 flex-col gap-3 lg:flex">
          {slots(8).map((k) => (
            <Skeleton key={k} className="h-3.5 w-full" />
          ))}
        </div>
        <div className="flex min-w-0 flex-1 flex-col gap-4">
          <Skeleton className="h-4 w-28" />
          <SkeletonTable rows={10} columns={6} />
        </div>
      </div>
    </PageBody>
  );
}
