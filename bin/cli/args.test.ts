import { describe, expect, it } from "vitest";
import { parseCommandArgs, parseList, parsePort, parseTimestamp, UsageError } from "./args";

describe("parseTimestamp", () => {
  it("reads ISO 8601 dates and times, UTC when no offset is given", () => {
    expect(parseTimestamp("2026-01-31", "t").toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(parseTimestamp("2026-01-31T12:30", "t").toISOString()).toBe("2026-01-31T12:30:00.000Z");
    expect(parseTimestamp("2026-01-31T12:30:05.250Z", "t").toISOString()).toBe("2026-01-31T12:30:05.250Z");
    expect(parseTimestamp("2026-01-31T14:00:00+02:00", "t").toISOString()).toBe("2026-01-31T12:00:00.000Z");
    expect(parseTimestamp("2026-01-31 12:00:00", "t").toISOString()).toBe("2026-01-31T12:00:00.000Z");
  });

  it("reads now", () => {
    const now = new Date("2026-03-01T00:00:00Z");
    expect(parseTimestamp("now", "t", () => now)).toBe(now);
  });

  it.each(["yesterday", "2026-02-30", "2026-13-01", "31/01/2026", "2026-01-31T25:00", ""])(
    "refuses %j",
    (text) => {
      expect(() => parseTimestamp(text, "<start>")).toThrow(UsageError);
      expect(() => parseTimestamp(text, "<start>")).toThrow(/<start>/);
    },
  );
});

describe("parseCommandArgs", () => {
  const spec = { strings: ["views"], positionals: [2, 2] as [number, number], names: "<start> <end>" };

  it("splits positionals and options", () => {
    const p = parseCommandArgs(["a", "--views", "x,y", "b"], spec);
    expect(p.positionals).toEqual(["a", "b"]);
    expect(parseList(p.values.views, "--views")).toEqual(["x", "y"]);
  });

  it("names what is missing or extra", () => {
    expect(() => parseCommandArgs(["a"], spec)).toThrow("missing <end>");
    expect(() => parseCommandArgs([], spec)).toThrow("missing <start> <end>");
    expect(() => parseCommandArgs(["a", "b", "c"], spec)).toThrow('unexpected argument "c"');
    expect(() => parseCommandArgs(["a", "b", "--nope"], spec)).toThrow(UsageError);
    expect(() => parseCommandArgs(["a", "b", "--views"], spec)).toThrow(UsageError);
  });
});

describe("parseList and parsePort", () => {
  it("refuses empty lists and bad ports", () => {
    expect(parseList(undefined, "--views")).toBeUndefined();
    expect(() => parseList(" , ", "--views")).toThrow(UsageError);
    expect(parsePort(undefined, 3000)).toBe(3000);
    expect(parsePort("8080", 3000)).toBe(8080);
    expect(() => parsePort("http", 3000)).toThrow(UsageError);
    expect(() => parsePort("70000", 3000)).toThrow(UsageError);
  });
});
