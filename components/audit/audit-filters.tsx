"use client";

import { useRouter } from "next/navigation";
import type { FormEvent, ReactNode } from "react";
import { Button, ButtonLink } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { InstanceAuditFilters } from "./audit-params";

const FIELDS = [
  { key: "action", label: "Action", placeholder: "entity.create", type: "text" },
  { key: "actor", label: "Actor", placeholder: "name contains…", type: "text" },
  { key: "type", label: "Object type", placeholder: "feature_view", type: "text" },
  { key: "object", label: "Object", placeholder: "name contains…", type: "text" },
  { key: "from", label: "From (UTC)", placeholder: "", type: "date" },
  { key: "to", label: "To (UTC)", placeholder: "", type: "date" },
] as const;

/**
 * Filter inputs; applying them rewrites the URL (through `hrefFor`), which the list reads.
 * `children` are more named controls (the instance log's project and scope): every non-empty
 * value of the form becomes a URL parameter of the same name.
 */
export function AuditFilterBar({
  filters,
  hrefFor,
  children,
}: {
  filters: InstanceAuditFilters;
  hrefFor: (filters: Record<string, string>) => string;
  children?: ReactNode;
}) {
  const router = useRouter();
  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    for (const [key, value] of new FormData(e.currentTarget)) {
      const v = typeof value === "string" ? value.trim() : "";
      if (v) next[key] = v;
    }
    router.replace(hrefFor(next));
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
      {FIELDS.map(({ key, label, placeholder, type }) => (
        <div key={key} className="flex flex-col gap-1">
          <label htmlFor={`audit-${key}`} className="text-xs font-medium text-zinc-600">
            {label}
          </label>
          <Input
            id={`audit-${key}`}
            name={key}
            type={type}
            defaultValue={filters[key] ?? ""}
            placeholder={placeholder}
            className={type === "date" ? "w-36 text-[13px]" : "w-44 font-mono text-[13px]"}
          />
        </div>
      ))}
      {children}
      <Button type="submit" variant="primary">
        Filter
      </Button>
      {active && <ButtonLink href={hrefFor({})}>Clear</ButtonLink>}
    </form>
  );
}
