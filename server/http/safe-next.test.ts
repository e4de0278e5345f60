import { describe, expect, it } from "vitest";
import { HOME, safeNext, sameOriginPath } from "./safe-next";

// Values as Next's searchParams hand them over (already percent-decoded once by the query parser).
const REFUSED: [string, string][] = [
  ["protocol-relative", "//example.org/x"],
  ["protocol-relative, three slashes", "///example.org/x"],
  ["slash backslash", "/\\example.org/x"],
  ["backslash later", "/p/demo\\x"],
  ["tab after the slash (Chromium drops it: //example.org)", "/\t/example.org/x"],
  ["newline after the slash", "/\n/example.org/x"],
  ["carriage return and newline", "/\r\n/example.org/x"],
  ["NUL", "/\u0000/example.org"],
  ["DEL", "/\u007f/example.org"],
  ["C1 control", "/\u0085/example.org"],
  ["tab inside the path", "/p/de\tmo"],
  ["encoded tab (double encoded in the URL)", "/%09/example.org/x"],
  ["encoded newline", "/%0a/example.org/x"],
  ["encoded slash", "/%2F/example.org/x"],
  ["encoded slash, lower case", "/%2f/example.org/x"],
  ["encoded backslash", "/%5Cexample.org/x"],
  ["encoded backslash, lower case", "/%5cexample.org/x"],
  ["malformed percent encoding", "/p/%E0%A4%A"],
  ["dot segment collapsing to //", "/.//example.org/x"],
  ["dot-dot segment collapsing to //", "/a/..//example.org/x"],
  ["encoded dot segment collapsing to //", "/%2e//example.org/x"],
  ["absolute http URL", "http://example.org/x"],
  ["absolute https URL", "https://example.org/x"],
  ["scheme without slashes", "http:example.org"],
  ["javascript URL", "javascript:alert(1)"],
  ["data URL", "data:text/html,<script>alert(1)</script>"],
  ["relative path", "p/demo"],
  ["bare host", "example.org"],
  ["leading space", " /p/demo"],
  ["leading tab", "\t//example.org"],
  ["empty", ""],
];

const ACCEPTED: [string, string, string][] = [
  ["root", "/", "/"],
  ["a page", "/p/demo/entities", "/p/demo/entities"],
  ["query and hash", "/p/demo/features?q=trip&sort=name#top", "/p/demo/features?q=trip&sort=name#top"],
  ["a URL in the query", "/p/demo?next=//example.org", "/p/demo?next=//example.org"],
  ["encoded slash inside a segment", "/p/a%2Fb", "/p/a%2Fb"],
  ["non-ASCII, canonically encoded", "/p/caf\u00e9", "/p/caf%C3%A9"],
  ["a space, canonically encoded", "/p/a b", "/p/a%20b"],
  ["dot segments inside the site", "/p/demo/../other", "/p/other"],
];

describe("sameOriginPath", () => {
  it.each(REFUSED)("refuses %s", (_, value) => {
    expect(sameOriginPath(value)).toBeNull();
  });

  it.each(ACCEPTED)("accepts %s", (_, value, expected) => {
    expect(sameOriginPath(value)).toBe(expected);
  });
});

describe("safeNext", () => {
  it("falls back to the home page for a missing or unsafe value", () => {
    expect(HOME).toBe("/");
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(null)).toBe("/");
    expect(safeNext([])).toBe("/");
    expect(safeNext("/\t/example.org/x")).toBe("/");
    expect(safeNext("/%0a/example.org/x")).toBe("/");
  });

  it("takes the first of repeated parameters", () => {
    expect(safeNext(["/p/demo", "//example.org"])).toBe("/p/demo");
    expect(safeNext(["//example.org", "/p/demo"])).toBe("/");
  });

  it("keeps a same-origin path", () => {
    expect(safeNext("/p/demo/entities")).toBe("/p/demo/entities");
  });
});
