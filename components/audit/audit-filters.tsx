"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Button, ButtonLink } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { type AuditFilters, auditHref } from "./audit-params";

const FIELDS = [
  { key: "action", label: "Action", placeholder: "entity.create" },
  { key: "actor", label: "Actor", placeholder: "name contains…" },
  { key: "type", label: "Object type", placeholder: "feature_view" },
  { key: "object", label: "Object", placeholder: "name contains…" },
] as const;

/** Filter inputs; applying them rewrites the URL, which the list reads. */
export function AuditFilterBar({ project, filters }: { project: string; filters: AuditFilters }) {
  const router = useRouter();
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const next: AuditFilters = {};
    for (const { key } of FIELDS) {
      const v = String(data.get(key) ?? "").trim();
      if (v) next[key] = v;
    }
    router.replace(auditHref(project, next));
  };
  const active = Object.keys(filters).length > 0;
  return (
    // Keyed by the URL's filters so the inputs show them again after back/forward navigation.
    <form
      key={JSON.stringify(filters)}
      onSubmit={apply}
      className="mb-4 flex flex-wrap items-end gap-3"
      aria-label="Filter the audit log"
    >
      {FIELDS.map(({ key, label, placeholder }) => (
        <div key={key} className="flex flex-col gap-1">
          <label htmlFor={`audit-${key}`} className="text-xs font-medium text-zinc-600">
            {label}
          </label>
          <Input
            id={`audit-${key}`}
            name={key}
            defaultValue={filters[key] ?? ""}
            placeholder={placeholder}
            className="w-48 font-mono text-[13px]"
          />
        </div>
      ))}
      <Button type="submit" variant="primary">
        Filter
      </Button>
      {active && <ButtonLink href={auditHref(project)}>Clear</ButtonLink>}
    </form>
  );
}
