"use client";

import { Check, Copy } from "lucide-react";
import { type KeyboardEvent, useId, useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import {
  downloadSnippet,
  historicalSnippet,
  KEY_VARIABLE,
  SNIPPET_LANGUAGES,
  type SnippetInput,
  type SnippetLanguage,
} from "./fetch-snippets";

const LABEL: Record<SnippetLanguage, string> = { curl: "curl", python: "Python", typescript: "TypeScript" };

const noSubscribe = () => () => {};

/** The page's origin in the browser; a placeholder during the server render. */
export function useOrigin(): string {
  return useSyncExternalStore(
    noSubscribe,
    () => window.location.origin,
    () => "http://localhost:3000",
  );
}

interface FetchPanelProps {
  project: string;
  name: string;
  selection: SnippetInput["selection"];
  /** Example entity rows (columnar), from the dataset's first preview rows. */
  entities: Record<string, unknown[]>;
}

/** "Fetch the same data": the historical API call in three languages, and the download with a key. */
export function FetchPanel({ project, name, selection, entities }: FetchPanelProps) {
  const origin = useOrigin();
  const input = { origin, project, selection, entities };

  return (
    <Card
      title="Fetch the same data"
      description="The same features, point-in-time correct, from the retrieval API."
      id="fetch"
    >
      <div className="flex flex-col gap-4 text-sm">
        <p className="text-zinc-600">
          <span className="font-medium text-zinc-800">You supply the entity rows.</span> The request answers
          the features for the join keys and <code className="font-mono text-[13px]">event_timestamp</code>{" "}
          values it is sent (here, the first rows of this dataset), up to 100,000 rows per request. For this
          whole dataset, download it instead (below). Send an API key with the consumer role as{" "}
          <code className="font-mono text-[13px]">Authorization: Bearer &lt;key&gt;</code> (owners create keys
          in Settings); the examples read it from{" "}
          <code className="font-mono text-[13px]">${KEY_VARIABLE}</code>.
        </p>
        <SnippetTabs snippet={(l) => historicalSnippet(l, input)} />
        <div className="flex flex-col gap-2">
          <h3 className="text-sm font-medium text-zinc-800">Download with an API key</h3>
          <CodeBlock code={downloadSnippet(origin, project, name, "csv")} label="Download command" />
          <p className="text-xs text-zinc-500">
            <code className="font-mono">format=parquet</code> gives the Parquet file.
          </p>
        </div>
      </div>
    </Card>
  );
}

/** One request in each language, as tabs (arrow keys move between them) over a copyable block. */
export function SnippetTabs({ snippet }: { snippet: (language: SnippetLanguage) => string }) {
  const id = useId();
  const [language, setLanguage] = useState<SnippetLanguage>("curl");

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const i = SNIPPET_LANGUAGES.indexOf(language);
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next =
      SNIPPET_LANGUAGES[(i + step + SNIPPET_LANGUAGES.length) % SNIPPET_LANGUAGES.length] ?? "curl";
    setLanguage(next);
    document.getElementById(`${id}-tab-${next}`)?.focus();
  }

  return (
    <div>
      <div
        role="tablist"
        aria-label="Language"
        onKeyDown={onKeyDown}
        className="flex gap-1 overflow-x-auto border-b border-zinc-200"
      >
        {SNIPPET_LANGUAGES.map((l) => (
          <button
            key={l}
            type="button"
            role="tab"
            id={`${id}-tab-${l}`}
            aria-selected={language === l}
            aria-controls={`${id}-panel`}
            tabIndex={language === l ? 0 : -1}
            onClick={() => setLanguage(l)}
            className={cn(
              "-mb-px border-b-2 px-3 py-1.5 text-sm font-medium transition-colors",
              language === l
                ? "border-indigo-600 text-indigo-700"
                : "border-transparent text-zinc-500 hover:text-zinc-800",
            )}
          >
            {LABEL[l]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${language}`} className="pt-3">
        <CodeBlock code={snippet(language)} label={`${LABEL[language]} request`} />
      </div>
    </div>
  );
}

/** Code in a box that scrolls sideways inside itself, with a copy button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (an insecure origin): the text is selectable.
    }
  }
  return (
    <div className="relative min-w-0">
      <pre
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable.
        tabIndex={0}
        className="max-h-96 overflow-auto rounded-md bg-zinc-900 p-3 pr-20 font-mono text-xs leading-5 text-zinc-100"
      >
        <code>{code}</code>
      </pre>
      <Button
        size="sm"
        variant="secondary"
        onClick={copy}
        className="absolute top-2 right-2"
        aria-label={`Copy the ${label.toLowerCase()}`}
      >
        {copied ? <Check className="size-3.5" aria-hidden /> : <Copy className="size-3.5" aria-hidden />}
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}
