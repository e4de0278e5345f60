"use client";

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderExt,
} from "@codemirror/view";
// @lezer/highlight is CodeMirror's own tag set (a dependency of @codemirror/language).
import { tags as t } from "@lezer/highlight";
import { useEffect, useRef } from "react";
import type { SqlEditorProps } from "./sql-editor-props";

/**
 * The CodeMirror 6 SQL editor (docs/adr/0038-sql-editor.md). Loaded only through `SqlEditor`'s
 * dynamic import, so pages without it do not ship CodeMirror.
 */

/**
 * Colours are palette variables, which app/globals.css remaps in dark mode, so one style reads on
 * both backgrounds; the fallback is the light value for a variable Tailwind did not emit.
 */
const v = (name: string, light: string) => `var(--color-${name}, ${light})`;

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.modifier], color: v("indigo-700", "#4338ca"), fontWeight: "500" },
  { tag: t.string, color: v("emerald-700", "#047857") },
  { tag: [t.number, t.bool, t.null], color: v("amber-700", "#b45309") },
  { tag: [t.lineComment, t.blockComment, t.comment], color: v("zinc-500", "#71717a"), fontStyle: "italic" },
  { tag: [t.typeName, t.standard(t.name)], color: v("sky-700", "#0369a1") },
  { tag: [t.special(t.name), t.special(t.string)], color: v("violet-700", "#6d28d9") },
  { tag: [t.operator, t.punctuation, t.paren, t.bracket], color: v("zinc-600", "#52525b") },
]);

const theme = EditorView.theme({
  "&": {
    backgroundColor: v("white", "#fff"),
    color: v("zinc-900", "#18181b"),
    fontSize: "13px",
    borderRadius: "0.5rem",
  },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": {
    fontFamily: "var(--font-mono, ui-monospace, SFMono-Regular, Menlo, monospace)",
    lineHeight: "1.6",
    minHeight: "12rem",
    maxHeight: "28rem",
  },
  ".cm-content": { caretColor: v("zinc-900", "#18181b"), padding: "0.5rem 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: v("zinc-900", "#18181b") },
  ".cm-gutters": {
    backgroundColor: v("zinc-50", "#fafafa"),
    color: v("zinc-500", "#71717a"),
    borderRight: `1px solid ${v("zinc-200", "#e4e4e7")}`,
    borderRadius: "0.5rem 0 0 0.5rem",
  },
  ".cm-activeLine": {
    backgroundColor: "color-mix(in oklab, var(--color-indigo-50, #eef2ff) 55%, transparent)",
  },
  ".cm-activeLineGutter": { backgroundColor: v("zinc-100", "#f4f4f5"), color: v("zinc-700", "#3f3f46") },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: `${v("indigo-100", "#e0e7ff")} !important`,
  },
  "&.cm-focused .cm-matchingBracket": {
    backgroundColor: v("emerald-100", "#d1fae5"),
    outline: `1px solid ${v("emerald-500", "#10b981")}`,
  },
  "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: v("red-100", "#fee2e2") },
  ".cm-placeholder": { color: v("zinc-500", "#71717a") },
  ".cm-sql-error": {
    textDecoration: `underline wavy ${v("red-600", "#dc2626")}`,
    textDecorationSkipInk: "none",
    backgroundColor: v("red-50", "#fef2f2"),
  },
  ".cm-tooltip": {
    backgroundColor: v("white", "#fff"),
    color: v("zinc-900", "#18181b"),
    border: `1px solid ${v("zinc-200", "#e4e4e7")}`,
    borderRadius: "0.375rem",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: v("indigo-100", "#e0e7ff"),
    color: v("indigo-900", "#312e81"),
  },
  ".cm-completionDetail": { color: v("zinc-500", "#71717a") },
});

/** The span the server blamed, underlined until the text changes. */
const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = tr.docChanged ? Decoration.none : marks;
    for (const e of tr.effects) {
      if (!e.is(setErrorMark)) continue;
      next =
        e.value && e.value.to > e.value.from
          ? Decoration.set([Decoration.mark({ class: "cm-sql-error" }).range(e.value.from, e.value.to)])
          : Decoration.none;
    }
    return next;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/** The word starting at `at` (an identifier, quoted or not), or one character. */
function spanAt(doc: string, at: number): { from: number; to: number } {
  const from = Math.max(0, Math.min(at, doc.length));
  const word = /^("[^"\n]*"|[\w$]+)/u.exec(doc.slice(from));
  const to = Math.min(doc.length, from + (word?.[0].length ?? 1));
  return { from, to: to > from ? to : Math.min(doc.length, from + 1) };
}

function attributes(p: SqlEditorProps): Record<string, string> {
  const attrs: Record<string, string> = { "aria-labelledby": p.labelId, "aria-multiline": "true" };
  if (p.describedBy) attrs["aria-describedby"] = p.describedBy;
  if (p.invalid) attrs["aria-invalid"] = "true";
  if (p.id) attrs.id = p.id;
  return attrs;
}

export default function SqlEditorView(props: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const compartments = useRef({
    language: new Compartment(),
    attrs: new Compartment(),
    editable: new Compartment(),
  });

  // Mount once; later prop changes reconfigure the view below.
  useEffect(() => {
    if (!host.current) return;
    const c = compartments.current;
    const p = latest.current;
    const state = EditorState.create({
      doc: p.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ icons: false }),
        syntaxHighlighting(highlight),
        EditorView.lineWrapping,
        placeholderExt(p.placeholder ?? ""),
        errorMark,
        theme,
        c.language.of(sql({ dialect: PostgreSQL, schema: p.schema, upperCaseKeywords: false })),
        c.attrs.of(EditorView.contentAttributes.of(attributes(p))),
        c.editable.of(EditorView.editable.of(!p.disabled)),
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                latest.current.onRun?.();
                return true;
              },
            },
          ]),
        ),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) latest.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    const v = new EditorView({ state, parent: host.current });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // Controlled value: a change from outside (a reload, a reset) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== props.value)
      v.dispatch({ changes: { from: 0, to: current.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: compartments.current.language.reconfigure(
        sql({ dialect: PostgreSQL, schema: props.schema, upperCaseKeywords: false }),
      ),
    });
  }, [props.schema]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attributes() reads exactly these props.
  useEffect(() => {
    view.current?.dispatch({
      effects: [
        compartments.current.attrs.reconfigure(EditorView.contentAttributes.of(attributes(props))),
        compartments.current.editable.reconfigure(EditorView.editable.of(!props.disabled)),
      ],
    });
  }, [props.labelId, props.describedBy, props.invalid, props.id, props.disabled]);

  // An error at a position: underline the word there and put the cursor on it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new round shows the same position again.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const at = props.errorAt;
    if (at === null || at === undefined) {
      v.dispatch({ effects: setErrorMark.of(null) });
      return;
    }
    const span = spanAt(v.state.doc.toString(), at);
    v.dispatch({
      effects: [setErrorMark.of(span), EditorView.scrollIntoView(span.from, { y: "center" })],
      selection: { anchor: span.from },
    });
  }, [props.errorAt, props.errorRound]);

  return (
    <div
      ref={host}
      data-testid="sql-editor"
      className={
        props.invalid
          ? "rounded-lg border border-red-400 bg-white focus-within:ring-2 focus-within:ring-red-200"
          : "rounded-lg border border-zinc-300 bg-white focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-100"
      }
    />
  );
}
