"use client";

import { SnippetTabs, useOrigin } from "@/components/datasets/fetch-panel";
import { KEY_VARIABLE, type OnlineSelection, onlineSnippet } from "@/components/datasets/fetch-snippets";
import { Card } from "@/components/ui/card";
import { useOfflineRows } from "./offline-preview";
import { exampleKeys, type JoinKey } from "./online-keys";

/**
 * "Fetch it": the get-online-features request for this object in curl, Python and TypeScript, with
 * its real join key names and, when the caller may read values, keys from its offline rows.
 */
export function FetchSnippetPanel({
  project,
  selection,
  joinKeys,
  sampleView,
  requestContext,
}: {
  project: string;
  selection: OnlineSelection;
  joinKeys: JoinKey[];
  /** The view whose offline rows give example keys; placeholders without one. */
  sampleView?: string;
  /**
   * Example request data of on-demand features, one value per entity row (the snippet sends as many
   * rows as there are example keys, so values are repeated or cut to that count).
   */
  requestContext?: Record<string, unknown>;
}) {
  const origin = useOrigin();
  const rows = useOfflineRows(project, sampleView ? { kind: "view", name: sampleView } : undefined);
  const { entities, real } = exampleKeys(joinKeys, rows.allowed ? rows.query.data : undefined);
  const rowCount = Object.values(entities)[0]?.length ?? 1;
  const context =
    requestContext &&
    Object.fromEntries(Object.entries(requestContext).map(([k, v]) => [k, Array(rowCount).fill(v)]));
  return (
    <Card
      title="Fetch it"
      description="Feast-compatible online retrieval: POST /api/v1/get-online-features."
      id="fetch"
    >
      <div className="flex flex-col gap-3 text-sm" data-testid="fetch-snippet">
        <p className="text-zinc-600">
          Send an API key with the consumer role as{" "}
          <code className="font-mono text-[13px]">Authorization: Bearer &lt;key&gt;</code> (owners create keys
          in Settings); the examples read it from{" "}
          <code className="font-mono text-[13px]">${KEY_VARIABLE}</code>.{" "}
          {real ? "The keys are from the first offline rows." : "The key values are examples."}
        </p>
        <SnippetTabs
          snippet={(l) => onlineSnippet(l, { origin, project, selection, entities, requestContext: context })}
        />
      </div>
    </Card>
  );
}
