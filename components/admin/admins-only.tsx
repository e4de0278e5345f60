import { TRPCClientError } from "@trpc/client";
import { ShieldAlert } from "lucide-react";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageBody, PageHeader } from "@/components/ui/page-header";

/** A tRPC 403: the caller is signed in but not an instance administrator (or no longer one). */
export function isForbidden(error: unknown): boolean {
  return error instanceof TRPCClientError && error.data?.code === "FORBIDDEN";
}

/** What an Instance page shows to someone who is not an instance administrator. */
export function AdminsOnly({ title }: { title: string }) {
  return (
    <PageBody>
      <PageHeader title={title} />
      <EmptyState
        icon={ShieldAlert}
        title="Instance administrators only"
        description="This page is for the administrators of this Quiver. Ask one of them if you need something here."
        action={<ButtonLink href="/">Back to your projects</ButtonLink>}
      />
    </PageBody>
  );
}
