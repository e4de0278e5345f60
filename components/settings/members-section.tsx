"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, UserPlus, Users } from "lucide-react";
import { type FormEvent, useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";
import { useTRPC } from "@/trpc/client";
import { CreateAccountForm, type CreatedAccount } from "./create-account-form";
import { ROLE_HINTS, ROLES, type Role } from "./roles";

/** The project's members: add by email, change a role, remove (never the last owner). */
export function MembersSection({ project }: { project: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.access.members.list.queryOptions({ project }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.access.members.list.queryKey({ project }) });
  const changeRole = useMutation(trpc.access.members.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.access.members.remove.mutationOptions({ onSettled: refresh }));
  const [confirming, setConfirming] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedAccount | null>(null);
  const rowError = changeRole.error ?? remove.error;

  return (
    <Section
      title="Members"
      description="People who can use this project. A project always keeps at least one owner."
      actions={
        !creating && (
          <Button
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            <UserPlus className="size-4" aria-hidden />
            Create account
          </Button>
        )
      }
    >
      {creating && (
        <CreateAccountForm
          project={project}
          onCancel={() => setCreating(false)}
          onCreated={async (account) => {
            setCreating(false);
            setCreated(account);
            await refresh();
          }}
        />
      )}
      {created && <AccountCreated account={created} project={project} onDone={() => setCreated(null)} />}
      <AddMemberForm project={project} onAdded={refresh} />
      {rowError && <ErrorState className="mb-3" error={rowError} title="Could not change the member" />}
      {members.isPending ? (
        <SkeletonTable rows={3} columns={4} />
      ) : members.isError ? (
        <ErrorState error={members.error} title="Could not load members" retry={() => members.refetch()} />
      ) : members.data.length === 0 ? (
        <EmptyState icon={Users} title="No members" />
      ) : (
        <Table aria-label="Members">
          <THead>
            <tr>
              <TH className="w-[24%]">Name</TH>
              <TH>Email</TH>
              <TH className="w-56">Role</TH>
              <TH className="w-28">Added</TH>
              <TH className="w-44" />
            </tr>
          </THead>
          <TBody>
            {members.data.map((m) => (
              <TR key={m.userId} data-testid={`member-${m.email}`}>
                <TD className="font-medium text-zinc-900">
                  <Truncate text={m.name} />
                </TD>
                <TD>
                  <Truncate text={m.email} />
                </TD>
                <TD>
                  <Select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    disabled={changeRole.isPending}
                    onChange={(e) => {
                      remove.reset();
                      changeRole.mutate({ project, userId: m.userId, role: e.target.value as Role });
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </Select>
                </TD>
                <TD>
                  <RelativeTime date={m.createdAt} />
                </TD>
                <TD className="text-right">
                  {confirming === m.userId ? (
                    <span className="inline-flex items-center gap-1.5">
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={remove.isPending}
                        onClick={() => {
                          changeRole.reset();
                          remove.mutate(
                            { project, userId: m.userId },
                            { onSettled: () => setConfirming(null) },
                          );
                        }}
                      >
                        Remove
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setConfirming(null)}>
                        Cancel
                      </Button>
                    </span>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => setConfirming(m.userId)}>
                      Remove…
                    </Button>
                  )}
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Section>
  );
}

function AddMemberForm({ project, onAdded }: { project: string; onAdded: () => Promise<void> }) {
  const trpc = useTRPC();
  const add = useMutation(trpc.access.members.add.mutationOptions());
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const failure = add.error ? serverError(add.error) : null;
  const emailError =
    failure && (failure.field === "email" || failure.issues?.email)
      ? (failure.issues?.email ?? failure.message)
      : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate(
      { project, email, role },
      {
        onSuccess: async () => {
          setEmail("");
          await onAdded();
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="mb-3 flex flex-wrap items-start gap-3" aria-label="Add a member">
      <Field label="Email" error={emailError} className="min-w-64 flex-1">
        <Input
          type="email"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            add.reset();
          }}
          placeholder="ada@example.com"
          autoComplete="off"
          required
        />
      </Field>
      <Field label="Role" hint={ROLE_HINTS[role]} className="w-64">
        <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </Field>
      <Button type="submit" variant="primary" className="mt-6" disabled={add.isPending || !email.trim()}>
        {add.isPending ? "Adding…" : "Add member"}
      </Button>
      {failure && !emailError && <p className="basis-full text-sm text-red-600">{failure.message}</p>}
    </form>
  );
}

/** Quiver sends no email: the owner passes the temporary password on themselves. */
function AccountCreated({
  account,
  project,
  onDone,
}: {
  account: CreatedAccount;
  project: string;
  onDone: () => void;
}) {
  return (
    <div
      role="status"
      className="mb-4 flex items-start gap-3 rounded-lg border border-emerald-200 bg-emerald-50 p-4"
    >
      <CircleCheck className="mt-0.5 size-5 shrink-0 text-emerald-600" aria-hidden />
      <div className="min-w-0 flex-1 text-sm text-emerald-900">
        <p className="font-semibold">
          Account created for {account.name} ({account.email}), {account.role} in {project}
        </p>
        <p className="mt-0.5 text-emerald-900/80">
          Hand them the temporary password yourself, over a channel you trust: Quiver sends no email. They
          sign in at /login with their email and that password.
        </p>
      </div>
      <Button size="sm" variant="ghost" onClick={onDone}>
        Done
      </Button>
    </div>
  );
}
