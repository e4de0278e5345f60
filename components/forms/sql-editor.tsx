"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";
import type { SqlEditorProps } from "./sql-editor-props";

export type { SqlEditorProps };

/**
 * A CodeMirror 6 SQL editor (docs/adr/0038-sql-editor.md), loaded on the client only when a page
 * renders it: CodeMirror stays out of every other page's JavaScript.
 */
export const SqlEditor = dynamic<SqlEditorProps>(() => import("./sql-editor-view"), {
  ssr: false,
  loading: () => <Skeleton className="h-[12.5rem] w-full rounded-lg" />,
});
