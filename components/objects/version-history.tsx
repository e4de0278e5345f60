"use client";

import { GitCompareArrows } from "lucide-react";
import Link from "next/link";
import { type ReactNode, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ErrorState } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Section } from "@/components/ui/section";
import { Select } from "@/components/ui/select";
import { SkeletonTable } from "@/components/ui/skeleton";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";

/** What the history shows of a version; every versioned kind's `versions` rows have these. */
export interface VersionRow {
  version: number;
  createdAt: Date;
  createdBy: string;
}

interface VersionHistoryProps {
  versions: VersionRow[];
  /** The page showing `version`, or the current one when undefined. */
  hrefOf: (version: number | undefined) => string;
  currentVersion: number;
  /** The version on screen. */
  shownVersion: number;
  compare: { from: number; to: number } | undefined;
  onCompare: (compare: { from: number; to: number }) => void;
  /** The diff of `compare`, rendered under the picker. */
  diff?: ReactNode;
}

/** Every version, newest first, with links to read it and a picker to diff two of them. */
export function VersionHistory(props: VersionHistoryProps) {
  const { versions, hrefOf, currentVersion, shownVersion, compare, onCompare, diff } = props;
  const [from, setFrom] = useState(compare?.from ?? Math.max(1, currentVersion - 1));
  const [to, setTo] = useState(compare?.to ?? currentVersion);
  const canCompare = versions.length > 1;

  return (
    <Section
      id="versions"
      title="Versions"
      description="Each change to the definition is kept as an immutable version."
      actions={
        canCompare && (
          <form
            className="flex items-center gap-2 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              onCompare({ from, to });
            }}
          >
            <Select
              aria-label="Compare from version"
              value={from}
              onChange={(e) => setFrom(Number(e.target.value))}
              className="w-20"
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </Select>
            <span className="text-zinc-400">→</span>
            <Select
              aria-label="Compare to version"
              value={to}
              onChange={(e) => setTo(Number(e.target.value))}
              className="w-20"
            >
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </Select>
            <Button type="submit" size="md" disabled={from === to}>
              <GitCompareArrows className="size-4" aria-hidden />
              Compare
            </Button>
          </form>
        )
      }
    >
      {diff && <div className="mb-4">{diff}</div>}
      <Table>
        <THead>
          <tr>
            <TH className="w-32">Version</TH>
            <TH className="w-40">Created</TH>
            <TH>By</TH>
            <TH className="w-64 text-right">
              <span className="sr-only">Actions</span>
            </TH>
          </tr>
        </THead>
        <TBody>
          {versions.map((v) => (
            <TR key={v.version} className={cn(v.version === shownVersion && "bg-indigo-50/40")}>
              <TD>
                <span className="flex items-center gap-2">
                  <span className="font-mono text-[13px] font-medium text-zinc-900">v{v.version}</span>
                  {v.version === currentVersion && <Badge tone="green">current</Badge>}
                </span>
              </TD>
              <TD className="text-zinc-600">
                <RelativeTime date={v.createdAt} />
              </TD>
              <TD>
                <Truncate text={v.createdBy} className="text-zinc-600" />
              </TD>
              <TD className="text-right">
                <span className="inline-flex items-center gap-3 text-[13px]">
                  {v.version > 1 && (
                    <button
                      type="button"
                      className="text-indigo-600 hover:underline"
                      onClick={() => {
                        setFrom(v.version - 1);
                        setTo(v.version);
                        onCompare({ from: v.version - 1, to: v.version });
                      }}
                    >
                      Changes from v{v.version - 1}
                    </button>
                  )}
                  {v.version === shownVersion ? (
                    <span className="text-zinc-400">Viewing</span>
                  ) : (
                    <Link
                      href={hrefOf(v.version === currentVersion ? undefined : v.version)}
                      className="text-indigo-600 hover:underline"
                    >
                      View
                    </Link>
                  )}
                </span>
              </TD>
            </TR>
          ))}
        </TBody>
      </Table>
    </Section>
  );
}

interface VersionsSectionProps extends Omit<VersionHistoryProps, "versions" | "diff" | "onCompare"> {
  /** The object's `versions` query. */
  versions: { data?: VersionRow[]; isError: boolean; error: unknown; refetch: () => unknown };
  onCompare: (compare: { from: number; to: number } | undefined) => void;
  /** The kind's diff of two versions; `onClose` clears the comparison. */
  renderDiff: (compare: { from: number; to: number }, onClose: () => void) => ReactNode;
}

/** The history with its loading and error states, and the diff the URL asks for: every versioned page's last section. */
export function VersionsSection({ versions, compare, onCompare, renderDiff, ...rest }: VersionsSectionProps) {
  if (versions.data)
    return (
      <VersionHistory
        // Remount when the URL's comparison changes so the pickers show it.
        key={compare ? `${compare.from}-${compare.to}` : "none"}
        {...rest}
        versions={versions.data}
        compare={compare}
        onCompare={onCompare}
        diff={compare && renderDiff(compare, () => onCompare(undefined))}
      />
    );
  if (versions.isError)
    return (
      <ErrorState
        error={versions.error}
        title="Could not load the versions"
        retry={() => versions.refetch()}
      />
    );
  return <SkeletonTable rows={2} columns={4} />;
}
