import { plural } from "@/components/ui/format";
import { type DatasetEntitySource, type DatasetStatus, isOneOf } from "@/server/core/vocabulary";
import type { Dataset } from "@/server/datasets/schemas";

/** Formatting of saved datasets, pure (shared by the list, the detail page and their tests). */

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"] as const;

/** Sizes in SI units: 999 -> "999 B", 1500 -> "1.5 kB", 12_300_000 -> "12 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let n = bytes;
  let unit = 0;
  while (n >= 1000 && unit < BYTE_UNITS.length - 1) {
    n /= 1000;
    unit++;
  }
  if (unit === 0) return `${n} B`;
  // Three significant digits at most, without a trailing ".0".
  const digits = n >= 100 ? 0 : n >= 10 ? 1 : 2;
  return `${Number(n.toFixed(digits))} ${BYTE_UNITS[unit]}`;
}

/** Queued and building datasets still change (and may be cancelled); the others are final. */
const ACTIVE: readonly DatasetStatus[] = ["queued", "building"];

export function isActiveDataset(status: string): boolean {
  return isOneOf(ACTIVE, status);
}

export const ENTITY_SOURCE_LABEL: Record<DatasetEntitySource, string> = {
  upload: "Uploaded file",
  query: "SQL query",
  grid: "Grid",
};

/** Share of the entity rows built so far (0..1), or null while the total is unknown. */
export function buildProgress(d: Pick<Dataset, "rowsDone" | "rowsTotal">): number | null {
  if (d.rowsTotal === null || d.rowsTotal <= 0) return null;
  return Math.min(1, Math.max(0, d.rowsDone / d.rowsTotal));
}

/** "driver_activity" for a service, else "3 features". */
export function selectionSummary(d: Pick<Dataset, "features" | "featureService">): string {
  if (d.featureService) return d.featureService;
  return plural(d.features?.length ?? 0, "feature");
}

/** A share as a percentage: 0 -> "0%", 0.0004 -> "<0.1%", 0.125 -> "12.5%", 1 -> "100%". */
export function formatPercent(share: number): string {
  if (share <= 0) return "0%";
  if (share >= 1) return "100%";
  const pct = share * 100;
  if (pct < 0.1) return "<0.1%";
  if (pct > 99.9) return ">99.9%";
  return `${Number(pct.toFixed(1))}%`;
}

/** A cell of a rows table as text; null and undefined are null (the table dims them). */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid date" : value.toISOString();
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}
