"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FolderPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sentence, serverError } from "@/components/forms/form-errors";
import { Button, ButtonLink } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { HeaderSkeleton } from "@/components/ui/skeleton";
import { Textarea } from "@/components/ui/textarea";
import { NAME_PATTERN } from "@/server/core/name";
import { useTRPC } from "@/trpc/client";
import { AdminsOnly, isForbidden } from "./admins-only";

const NAME_RULE = "Start with a lowercase letter; use only a–z, 0–9 and _ (at most 63)";

/**
 * An instance administrator creates a project; they become its owner and land in its Settings to
 * add members. The name is also the project's offline schema, so the server may refuse it there.
 */
export function NewProjectForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.account.me.queryOptions());
  const create = useMutation(trpc.admin.createProject.mutationOptions());
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [nameInvalid, setNameInvalid] = useState(false);
  const failure = create.error ? serverError(create.error) : null;
  const nameError = nameInvalid
    ? NAME_RULE
    : failure && (failure.field === "name" || failure.issues?.name)
      ? sentence(failure.issues?.name ?? failure.message)
      : null;

  if (me.isPending)
    return (
      <PageBody>
        <HeaderSkeleton />
      </PageBody>
    );
  if ((me.data && !me.data.isAdmin) || isForbidden(create.error)) return <AdminsOnly title="New project" />;

  function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!NAME_PATTERN.test(trimmed)) return setNameInvalid(true);
    create.mutate(
      { name: trimmed, description: description.trim() },
      {
        onSuccess: async (project) => {
          await queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() });
          router.push(`/p/${encodeURIComponent(project.name)}/settings`);
        },
      },
    );
  }

  return (
    <PageBody>
      <div className="max-w-2xl">
        <PageHeader
          title="New project"
          description="A project holds its own entities, sources, feature views and members. You become its owner; its offline data lives in a schema of the same name."
        />
        <form
          onSubmit={submit}
          aria-label="Create a project"
          className="flex flex-col gap-4 rounded-lg border border-zinc-200 bg-white p-5"
          noValidate
        >
          <Field label="Name" required error={nameError} hint={NAME_RULE}>
            <Input
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setNameInvalid(false);
                create.reset();
              }}
              placeholder="fraud_detection"
              className="font-mono text-[13px]"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              required
            />
          </Field>
          <Field label="Description" hint="Optional: what the project's features are for">
            <Textarea
              value={description}
              onChange={(e) => {
                setDescription(e.target.value);
                create.reset();
              }}
              maxLength={4000}
            />
          </Field>
          {failure && !nameError && (
            <p role="alert" className="text-sm text-red-600">
              {sentence(failure.message)}
            </p>
          )}
          <div className="flex items-center gap-2">
            <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
              <FolderPlus className="size-4" aria-hidden />
              {create.isPending ? "Creating…" : "Create project"}
            </Button>
            <ButtonLink href="/" variant="ghost">
              Cancel
            </ButtonLink>
          </div>
        </form>
      </div>
    </PageBody>
  );
}
