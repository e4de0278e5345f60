import Link from "next/link";
import { href } from "@/components/catalog/links";
import { TypeBadge } from "@/components/catalog/type-badge";
import { Badge, TagList } from "@/components/ui/badge";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { Truncate } from "@/components/ui/truncate";

export interface FeatureHit {
  featureView: string;
  name: string;
  dtype: string;
  description: string;
  tags: Record<string, string>;
  owner: string;
  /** The feature's view is deprecated. */
  deprecated?: boolean;
}

/** One page of search hits. */
export function ResultsTable({ project, items }: { project: string; items: FeatureHit[] }) {
  return (
    <Table>
      <THead>
        <tr>
          <TH className="w-[20%]">Feature</TH>
          <TH className="w-[17%]">Feature view</TH>
          <TH className="w-28">Type</TH>
          <TH>Description</TH>
          <TH className="w-[16%] hidden xl:table-cell">Tags</TH>
          <TH className="w-[12%] hidden xl:table-cell">Owner</TH>
        </tr>
      </THead>
      <TBody>
        {items.map((f) => (
          <TR key={`${f.featureView}:${f.name}`}>
            <TD>
              <Truncate text={f.name} mono>
                <Link
                  href={href.feature(project, f.featureView, f.name)}
                  className="font-medium text-zinc-900 hover:text-indigo-600 hover:underline"
                >
                  {f.name}
                </Link>
              </Truncate>
            </TD>
            <TD>
              <div className="flex min-w-0 items-center gap-1.5">
                <Truncate text={f.featureView} mono>
                  <Link href={href.view(project, f.featureView)} className="text-indigo-600 hover:underline">
                    {f.featureView}
                  </Link>
                </Truncate>
                {f.deprecated && (
                  <Badge tone="amber" title="This feature view is deprecated">
                    deprecated
                  </Badge>
                )}
              </div>
            </TD>
            <TD>
              <TypeBadge dtype={f.dtype} />
            </TD>
            <TD>
              {f.description ? (
                <Truncate text={f.description} className="text-zinc-600" />
              ) : (
                <span className="text-zinc-400">—</span>
              )}
            </TD>
            <TD className="hidden xl:table-cell">
              <TagList tags={f.tags} max={1} />
            </TD>
            <TD className="hidden xl:table-cell">
              {f.owner ? (
                <Truncate text={f.owner} className="text-zinc-600" />
              ) : (
                <span className="text-zinc-400">—</span>
              )}
            </TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}
