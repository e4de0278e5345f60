import { TypeBadge } from "@/components/catalog/type-badge";
import { Badge } from "@/components/ui/badge";
import { Card, Description, DescriptionList } from "@/components/ui/card";
import { formatTtl, humanizeSeconds } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { Truncate } from "@/components/ui/truncate";
import type { RouterOutputs } from "@/trpc/types";

type View = RouterOutputs["featureViews"]["get"];

const none = <span className="text-zinc-400">None</span>;

/** Entities, source, ttl, SLA and watermark of the shown version. */
export function ViewSummaryCards({ view }: { view: View }) {
  const { spec, source } = view;
  return (
    <div className="flex flex-col gap-4">
      <Card title="Entities" description="Rows are looked up by these join keys.">
        <ul className="flex flex-col gap-2.5">
          {spec.entities.map((name) => {
            const e = view.entities.find((x) => x.name === name);
            return (
              <li key={name} className="flex min-w-0 items-center gap-2 text-sm">
                <span className="min-w-0 shrink">
                  <Truncate text={name} mono className="font-medium text-zinc-900" />
                </span>
                {e ? (
                  <>
                    <span className="text-zinc-300">·</span>
                    <span className="min-w-0 shrink">
                      <Truncate text={e.joinKey} mono className="text-zinc-600" />
                    </span>
                    <span className="ml-auto shrink-0">
                      <TypeBadge dtype={e.valueType} />
                    </span>
                  </>
                ) : (
                  <Badge tone="red" className="ml-auto">
                    missing
                  </Badge>
                )}
              </li>
            );
          })}
        </ul>
      </Card>

      <Card title="Source">
        <DescriptionList>
          <Description label="Name">
            <span className="flex min-w-0 items-center gap-2">
              <Truncate text={source.name} mono />
              <Badge tone={source.kind === "table" ? "blue" : "violet"}>{source.kind}</Badge>
            </span>
          </Description>
          {source.kind === "table" ? (
            <Description label="Table">
              <Truncate text={source.tableName ?? ""} mono />
            </Description>
          ) : (
            <Description label="Query">
              <pre
                title={source.query ?? ""}
                className="max-h-32 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap text-zinc-700 ring-1 ring-zinc-200"
              >
                {source.query}
              </pre>
            </Description>
          )}
          <Description label="Event time">
            <Truncate text={source.timestampField} mono />
          </Description>
          <Description label="Created time">
            {source.createdTimestampField ? <Truncate text={source.createdTimestampField} mono /> : none}
          </Description>
        </DescriptionList>
      </Card>

      <Card title="Serving">
        <DescriptionList>
          <Description label="TTL">{formatTtl(spec.ttlSeconds)}</Description>
          <Description label="Freshness SLA">
            {spec.freshnessSlaSeconds ? humanizeSeconds(spec.freshnessSlaSeconds) : none}
          </Description>
          <Description label="Watermark">
            {view.materializedUntil ? (
              <RelativeTime date={view.materializedUntil} />
            ) : (
              <span className="text-zinc-400">Never materialized</span>
            )}
          </Description>
          <Description label="Stores">
            <span className="flex flex-wrap gap-1.5">
              {spec.online ? <Badge tone="green">online</Badge> : <Badge>no online</Badge>}
              {spec.offline ? <Badge tone="blue">offline</Badge> : <Badge>no offline</Badge>}
            </span>
          </Description>
          <Description label="Registered">
            <RelativeTime date={view.createdAt} />
          </Description>
        </DescriptionList>
      </Card>
    </div>
  );
}
