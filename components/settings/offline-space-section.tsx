"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { Section } from "@/components/ui/section";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";

/**
 * The project's offline space: the schemas its sources may read (and pushes may write), the
 * Postgres roles its offline SQL runs as, and the shared schemas the owner lets it read.
 */
export function OfflineSpaceSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const space = useQuery(trpc.offline.space.queryOptions({ project }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.offline.space.queryKey({ project }) });
  const grant = useMutation(trpc.offline.grantShared.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.offline.revokeShared.mutationOptions({ onSuccess: refresh }));
  const [picked, setPicked] = useState("");

  return (
    <Section
      id="offline-space"
      title="Offline space"
      description="Table and query sources read only these schemas of the offline database, as the project's own read-only role; offline pushes write only into its own schemas."
    >
      {space.isPending ? (
        <Skeleton className="h-32" />
      ) : space.error ? (
        <ErrorState error={space.error} title="Could not load the offline space" />
      ) : (
        <Card>
          <DescriptionList>
            <Description label="Database">
              <code className="font-mono text-[13px]">{space.data.database}</code>
            </Description>
            <Description label="Own schemas">
              <span className="flex flex-wrap gap-1.5">
                {space.data.own.map((s) => (
                  <Badge key={s} tone="indigo" mono>
                    {s}
                  </Badge>
                ))}
              </span>
            </Description>
            <Description label="Shared (read only)">
              {space.data.shared.length === 0 ? (
                <span className="text-zinc-500">none</span>
              ) : (
                <ul className="flex flex-col gap-1.5">
                  {space.data.shared.map((s) => (
                    <li key={s} className="flex items-center gap-2">
                      <Badge tone="teal" mono>
                        {s}
                      </Badge>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ project, schema: s })}
                      >
                        Revoke
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </Description>
            <Description label="Roles">
              <span className="font-mono text-[13px] break-all text-zinc-700">
                {space.data.roles.reader} (reads) · {space.data.roles.writer} (pushes)
              </span>
            </Description>
          </DescriptionList>
          <form
            className="mt-4 flex flex-wrap items-end gap-2 border-t border-zinc-100 pt-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (picked) grant.mutate({ project, schema: picked }, { onSuccess: () => setPicked("") });
            }}
          >
            {space.data.shareable.length === 0 ? (
              <p className="text-xs text-zinc-500">
                This deployment offers no further shared schemas (an administrator lists them in{" "}
                <code className="font-mono">QUIVER_SHARED_SCHEMAS</code>).
              </p>
            ) : (
              <>
                <Field label="Grant read access to a shared schema">
                  <Select value={picked} onChange={(e) => setPicked(e.target.value)}>
                    <option value="">Choose a schema…</option>
                    {space.data.shareable.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Button type="submit" variant="primary" disabled={!picked || grant.isPending}>
                  Grant
                </Button>
              </>
            )}
          </form>
          {(grant.error ?? revoke.error) && (
            <ErrorState
              className="mt-3"
              error={grant.error ?? revoke.error}
              title="Could not change the shared schemas"
            />
          )}
        </Card>
      )}
    </Section>
  );
}
