/** What the SQL editor takes (components/forms/sql-editor.tsx). */
export interface SqlEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** The id of the element naming the editor (its label): set as aria-labelledby on the text area. */
  labelId: string;
  /** An id for the editable element, so a form can focus it as it does an input. */
  id?: string;
  describedBy?: string;
  invalid?: boolean;
  disabled?: boolean;
  placeholder?: string;
  /** Completion of table names and their columns: { source: [column, …] } (lang-sql's `schema`). */
  schema?: Record<string, readonly string[]>;
  /** Ctrl/Cmd+Enter in the editor. */
  onRun?: () => void;
  /** A 0-based offset to underline and put the cursor on (the server's error position), or null. */
  errorAt?: number | null;
  /** Bumped to show the same position again (a second failed run at the same place). */
  errorRound?: number;
}
