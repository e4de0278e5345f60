"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Plus, SearchX, X } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useEffect, useEffectEvent, useRef, useState, useTransition } from "react";
import { useProjectRole } from "@/components/auth/use-project-role";
import { href } from "@/components/catalog/links";
import { Button, ButtonLink } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { FoldBelowLg } from "@/components/ui/disclosure";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { plural } from "@/components/ui/format";
import { PageBody, PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Skeleton, SkeletonTable, slots } from "@/components/ui/skeleton";
import { useTRPC } from "@/trpc/client";
import { AlsoMatches } from "./also-matches";
import { FacetGroup, TagValue } from "./facet-panel";
import { ResultsTable } from "./results-table";
import { SearchBox } from "./search-box";
import {
  hasFilters,
  PAGE_SIZE,
  readSearchState,
  type SearchState,
  searchInput,
  searchQueryString,
} from "./search-params";

/** How long typing pauses before the URL (and so the search) follows. */
const DEBOUNCE_MS = 250;

/**
 * The feature catalog: search box, facets and a page of results. The URL is the state: every
 * change goes through router navigation, the server page prefetches the result for the new URL,
 * and this component reads it from the query cache under the same key.
 */
export function FeatureSearch({ project }: { project: string }) {
  const trpc = useTRPC();
  const { can } = useProjectRole(project);
  const router = useRouter();
  const pathname = usePathname();
  const state = readSearchState(useSearchParams());
  const [navigating, startTransition] = useTransition();

  const query = useQuery({
    ...trpc.search.features.queryOptions(searchInput(project, state)),
    placeholderData: keepPreviousData,
  });

  function go(next: SearchState, mode: "push" | "replace" = "push") {
    const url = `${pathname}${searchQueryString(next)}`;
    startTransition(() => {
      if (mode === "replace") router.replace(url, { scroll: false });
      else router.push(url, { scroll: next.page !== state.page });
    });
  }

  // The box is local state so typing never waits for the network; the URL follows after a pause.
  const [text, setText] = useState(state.q);
  const sent = useRef(state.q);
  const syncFromUrl = useEffectEvent((q: string) => {
    if (q !== sent.current) {
      sent.current = q;
      setText(q);
    }
  });
  useEffect(() => {
    syncFromUrl(state.q);
  }, [state.q]);
  const sendText = useEffectEvent((q: string) => {
    sent.current = q;
    go({ ...state, q, page: 1 }, "replace");
  });
  useEffect(() => {
    if (text === sent.current) return;
    const timer = setTimeout(() => sendText(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const toggle = (key: "owner" | "entity" | "view", value: string) =>
    go({ ...state, [key]: state[key] === value ? "" : value, page: 1 });
  const toggleTag = (tag: string) =>
    go({
      ...state,
      tags: state.tags.includes(tag) ? state.tags.filter((t) => t !== tag) : [...state.tags, tag],
      page: 1,
    });
  const clearAll = () => {
    sent.current = "";
    setText("");
    go({ q: "", tags: [], owner: "", entity: "", view: "", page: 1 });
  };

  const data = query.data;
  const busy = navigating || query.isFetching;
  const filtered = hasFilters(state);

  return (
    <PageBody>
      <PageHeader
        title="Features"
        description="Every feature of every feature view in this project. Search by name or description, narrow by tag, owner, entity or view."
        actions={
          can("definitions.write") && (
            <ButtonLink href={href.newView(project)} variant="secondary">
              <Plus className="size-4" aria-hidden />
              Register feature view
            </ButtonLink>
          )
        }
      />
      <SearchBox
        value={text}
        onChange={setText}
        busy={busy}
        placeholder="Search features, e.g. conv rate or driver trips"
      />
      <div className="mt-6 flex flex-col gap-4 lg:flex-row lg:gap-8">
        <aside className="shrink-0 lg:w-56" aria-label="Filters">
          <FoldBelowLg label="Filters">
            {data ? (
              <>
                <FacetGroup
                  title="Tags"
                  facets={data.facets.tags.values}
                  more={data.facets.tags.more}
                  total={data.total}
                  selected={state.tags}
                  onToggle={toggleTag}
                  render={(v) => <TagValue value={v} />}
                />
                <FacetGroup
                  title="Owners"
                  facets={data.facets.owners.values}
                  more={data.facets.owners.more}
                  total={data.total}
                  selected={state.owner ? [state.owner] : []}
                  onToggle={(v) => toggle("owner", v)}
                />
                <FacetGroup
                  title="Entities"
                  facets={data.facets.entities.values}
                  more={data.facets.entities.more}
                  total={data.total}
                  selected={state.entity ? [state.entity] : []}
                  onToggle={(v) => toggle("entity", v)}
                />
                <FacetGroup
                  title="Feature views"
                  facets={data.facets.views.values}
                  more={data.facets.views.more}
                  total={data.total}
                  selected={state.view ? [state.view] : []}
                  onToggle={(v) => toggle("view", v)}
                />
              </>
            ) : (
              query.isPending && <FacetSkeleton />
            )}
          </FoldBelowLg>
        </aside>

        <div className="min-w-0 flex-1">
          <div className="mb-3 flex min-h-7 flex-wrap items-center gap-2">
            <div className="text-sm text-zinc-600 tabular-nums" aria-live="polite">
              {data ? (
                <>
                  <span className="font-medium text-zinc-900">{plural(data.total, "feature")}</span>
                  {filtered ? " match" : " in this project"}
                </>
              ) : (
                query.isPending && <Skeleton className="h-4 w-28" />
              )}
            </div>
            <ActiveFilters state={state} onTag={toggleTag} onToggle={toggle} />
            {data && data.corrections.length > 0 && data.total > 0 && (
              <span className="text-xs text-zinc-500">
                {data.corrections.map((c, i) => (
                  <span key={c.word}>
                    {i > 0 && ", "}“{c.word}” as{" "}
                    <span className="font-medium text-zinc-700">{c.into.join(" / ")}</span>
                  </span>
                ))}
              </span>
            )}
            {filtered && (
              <Button variant="ghost" size="sm" onClick={clearAll} className="ml-auto">
                Clear filters
              </Button>
            )}
          </div>

          {query.isPending ? (
            <SkeletonTable rows={10} columns={6} />
          ) : query.isError && !data ? (
            <ErrorState error={query.error} title="Search failed" retry={() => query.refetch()} />
          ) : data && data.items.length === 0 ? (
            filtered ? (
              <EmptyState
                icon={SearchX}
                title={state.q ? `No features match “${state.q}”` : "No features match these filters"}
                description="Try fewer words, check the spelling, or remove a filter."
                action={<Button onClick={clearAll}>Clear filters</Button>}
              />
            ) : (
              <EmptyState
                icon={SearchX}
                title="No features yet"
                description="Features appear here once a feature view is registered."
                action={
                  can("definitions.write") && (
                    <ButtonLink href={href.newView(project)} variant="primary">
                      Register feature view
                    </ButtonLink>
                  )
                }
              />
            )
          ) : data ? (
            <div className={cn("transition-opacity", busy && "opacity-60")}>
              {query.isError && (
                <ErrorState
                  error={query.error}
                  title="Search failed"
                  className="mb-3"
                  retry={() => query.refetch()}
                />
              )}
              <ResultsTable project={project} items={data.items} />
              <Pagination
                className="mt-4"
                page={state.page}
                pageSize={PAGE_SIZE}
                total={data.total}
                onPage={(page) => go({ ...state, page })}
              />
            </div>
          ) : null}
          {state.q.trim() &&
            !state.tags.length &&
            !state.owner &&
            !state.entity &&
            !state.view &&
            state.page === 1 && <AlsoMatches project={project} q={state.q.trim()} />}
        </div>
      </div>
    </PageBody>
  );
}

function ActiveFilters({
  state,
  onTag,
  onToggle,
}: {
  state: SearchState;
  onTag: (tag: string) => void;
  onToggle: (key: "owner" | "entity" | "view", value: string) => void;
}) {
  const chips: { key: string; label: ReactNode; remove: () => void }[] = [
    ...state.tags.map((t) => ({ key: `tag:${t}`, label: <TagValue value={t} />, remove: () => onTag(t) })),
    ...(["owner", "entity", "view"] as const)
      .filter((k) => state[k])
      .map((k) => ({
        key: k,
        label: (
          <>
            <span className="text-zinc-400">{k}:</span>
            {state[k]}
          </>
        ),
        remove: () => onToggle(k, state[k]),
      })),
  ];
  return chips.map((c) => (
    <span
      key={c.key}
      className="inline-flex h-6 max-w-64 items-center gap-1 rounded-full bg-indigo-50 pr-1 pl-2.5 text-xs text-indigo-900 ring-1 ring-indigo-200 ring-inset"
    >
      <span className="truncate">{c.label}</span>
      <button
        type="button"
        onClick={c.remove}
        aria-label={`Remove filter ${c.key}`}
        className="rounded-full p-0.5 text-indigo-400 hover:bg-indigo-100 hover:text-indigo-700"
      >
        <X className="size-3" aria-hidden />
      </button>
    </span>
  ));
}

function FacetSkeleton() {
  return (
    <div className="flex flex-col gap-6" aria-hidden>
      {slots(4).map((group, i) => (
        <div key={group} className="flex flex-col gap-2 px-2">
          <Skeleton className="h-2.5 w-16" />
          {slots(4 - (i % 2)).map((row) => (
            <Skeleton key={row} className="h-3.5 w-full" />
          ))}
        </div>
      ))}
    </div>
  );
}
