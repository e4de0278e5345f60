import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, lineNumbers } from "@codemirror/view";
// @lezer/highlight comes with @codemirror/language (its dependency): the tags its parsers emit.
import { tags } from "@lezer/highlight";

/**
 * The read-only CodeMirror view behind sql-view.tsx, loaded on demand so CodeMirror stays out of
 * pages without SQL. Colours are Tailwind's palette variables, which dark mode remaps (ADR 0026),
 * so one highlight style reads in both modes.
 */

const palette = (name: string) => `var(--color-${name})`;

const highlight = HighlightStyle.define([
  {
    tag: [tags.keyword, tags.operatorKeyword, tags.modifier],
    color: palette("violet-700"),
    fontWeight: "600",
  },
  { tag: [tags.string, tags.special(tags.string)], color: palette("emerald-700") },
  { tag: [tags.number, tags.bool, tags.null], color: palette("amber-700") },
  {
    tag: [tags.comment, tags.lineComment, tags.blockComment],
    color: palette("zinc-500"),
    fontStyle: "italic",
  },
  { tag: [tags.typeName, tags.standard(tags.name)], color: palette("sky-700") },
  { tag: [tags.function(tags.variableName), tags.function(tags.name)], color: palette("indigo-700") },
  { tag: [tags.operator, tags.punctuation, tags.paren, tags.bracket], color: palette("zinc-600") },
]);

const theme = EditorView.theme({
  "&": { fontSize: "13px", backgroundColor: palette("zinc-50"), color: palette("zinc-900") },
  ".cm-content": { fontFamily: "var(--font-mono)", padding: "10px 0", caretColor: "transparent" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-gutters": {
    backgroundColor: palette("zinc-50"),
    color: palette("zinc-500"),
    borderRight: `1px solid ${palette("zinc-200")}`,
  },
  "&.cm-focused": { outline: `2px solid ${palette("indigo-500")}`, outlineOffset: "-2px" },
  ".cm-selectionBackground, &.cm-focused .cm-selectionBackground": {
    backgroundColor: `${palette("indigo-100")} !important`,
  },
});

/** Mounts a read-only view of `doc` into `parent`; returns the view (call destroy() to unmount). */
export function mountSqlView(parent: HTMLElement, doc: string, label: string): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        sql({ dialect: PostgreSQL }),
        syntaxHighlighting(highlight),
        theme,
        // Long lines wrap: the page never scrolls sideways, on a phone either.
        EditorView.lineWrapping,
        EditorState.readOnly.of(true),
        EditorView.editable.of(false),
        // Focusable (Tab) so the text can be selected and copied from the keyboard.
        EditorView.contentAttributes.of({ "aria-label": label, "aria-readonly": "true", tabindex: "0" }),
      ],
    }),
  });
}
