import { describe, expect, it } from "vitest";
import { diffStats, lineDiff } from "./line-diff";

/** The diff as "  same", "- removed", "+ added" lines, to compare with tables written by hand. */
const show = (a: string, b: string) =>
  lineDiff(a, b).map((d) => `${d.kind === "same" ? " " : d.kind === "added" ? "+" : "-"} ${d.text}`);

describe("lineDiff", () => {
  it("keeps identical texts as unchanged lines", () => {
    expect(show("select a\nfrom t", "select a\nfrom t")).toEqual(["  select a", "  from t"]);
  });

  it("shows a changed line as its removal followed by its replacement", () => {
    expect(show("select a\nfrom t\nwhere x", "select a\nfrom u\nwhere x")).toEqual([
      "  select a",
      "- from t",
      "+ from u",
      "  where x",
    ]);
  });

  it("shows lines added at the end and removed at the start", () => {
    expect(show("-- old\nselect a\nfrom t", "select a\nfrom t\nwhere a > 0")).toEqual([
      "- -- old",
      "  select a",
      "  from t",
      "+ where a > 0",
    ]);
  });

  it("treats an empty text as no lines, and CRLF as LF", () => {
    expect(show("", "select 1")).toEqual(["+ select 1"]);
    expect(show("select 1", "")).toEqual(["- select 1"]);
    expect(show("a\r\nb", "a\nb")).toEqual(["  a", "  b"]);
  });

  it("numbers lines of both sides", () => {
    expect(lineDiff("a\nb\nc", "a\nc\nd")).toEqual([
      { kind: "same", text: "a", oldLine: 1, newLine: 1 },
      { kind: "removed", text: "b", oldLine: 2 },
      { kind: "same", text: "c", oldLine: 3, newLine: 2 },
      { kind: "added", text: "d", newLine: 3 },
    ]);
  });

  it("keeps the longest run of unchanged lines", () => {
    // Moving one line: the diff keeps the other three in place and moves only "x".
    expect(show("x\na\nb\nc", "a\nb\nc\nx")).toEqual(["- x", "  a", "  b", "  c", "+ x"]);
    expect(diffStats(lineDiff("x\na\nb\nc", "a\nb\nc\nx"))).toEqual({ added: 1, removed: 1 });
  });
});
