import type { ReactNode } from "react";

interface ViewSectionsProps {
  header: ReactNode;
  /** Shown above everything when set, e.g. "you are looking at an old version". */
  notice?: ReactNode;
  schema: ReactNode;
  details: ReactNode;
  versions: ReactNode;
  /**
   * The view's lineage (sources → view → services → consumers), full width under the schema.
   * Pass a complete section (with its own Card/heading); nothing is rendered when it is empty.
   */
  lineageSlot?: ReactNode;
  /** Who reads the view (counted reads and declared consumers), full width under lineage; same rules. */
  usageSlot?: ReactNode;
  /** The view's lag over the last days against its SLA, full width above materialization; same rules. */
  lagSlot?: ReactNode;
  /** Materialization runs and controls for the view, full width under lineage; same rules. */
  materializationSlot?: ReactNode;
}

/**
 * The layout of a feature view page: header, then schema beside the details column, then the
 * lineage, usage and materialization slots (filled by page.tsx), then the version history.
 */
export function ViewSections({
  header,
  notice,
  schema,
  details,
  versions,
  lineageSlot,
  usageSlot,
  lagSlot,
  materializationSlot,
}: ViewSectionsProps) {
  return (
    <div>
      {header}
      <div className="flex flex-col gap-6">
        {notice}
        <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
          <div className="min-w-0">{schema}</div>
          <div className="min-w-0">{details}</div>
        </div>
        {lineageSlot && <section aria-label="Lineage">{lineageSlot}</section>}
        {usageSlot && <section aria-label="Usage">{usageSlot}</section>}
        {lagSlot && <section aria-label="Lag">{lagSlot}</section>}
        {materializationSlot && <section aria-label="Materialization">{materializationSlot}</section>}
        {versions}
      </div>
    </div>
  );
}
