import { describe, expect, it } from "vitest";
import { cronProblem, nextFire, timeZoneProblem } from "./next-fire";

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("nextFire, cron", () => {
  // Expected instants worked out by hand from the zones' offsets (Paris: +01 winter, +02 summer;
  // New York: -05 winter, -04 summer).
  it.each([
    ["every minute", "* * * * *", "UTC", "2026-12-01T06:25:13Z", "2026-12-01T06:26:00.000Z"],
    [
      "strictly after an exact fire",
      "*/15 * * * *",
      "UTC",
      "2026-12-01T06:30:00Z",
      "2026-12-01T06:45:00.000Z",
    ],
    [
      "daily in Paris, winter",
      "0 9 * * *",
      "Europe/Paris",
      "2026-12-01T10:00:00Z",
      "2026-12-02T08:00:00.000Z",
    ],
    [
      "daily in Paris, summer",
      "0 9 * * *",
      "Europe/Paris",
      "2026-07-01T10:00:00Z",
      "2026-07-02T07:00:00.000Z",
    ],
    [
      "weekdays in New York",
      "30 8 * * 1-5",
      "America/New_York",
      "2026-12-04T14:00:00Z",
      "2026-12-07T13:30:00.000Z",
    ],
  ])("%s", (_, cron, timeZone, after, expected) => {
    expect(iso(nextFire({ kind: "cron", cron, timeZone }, at(after)))).toBe(expected);
  });

  it("a time inside the spring-forward gap fires once, at the end of the gap (Paris, 29 March 2026)", () => {
    // 02:30 does not exist on 29 March in Paris: clocks go from 02:00 (+01) to 03:00 (+02) = 01:00Z.
    const rule = { kind: "cron", cron: "30 2 * * *", timeZone: "Europe/Paris" } as const;
    expect(iso(nextFire(rule, at("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:00:00.000Z");
    // The next day is back to 02:30 at +02, i.e. 00:30Z.
    expect(iso(nextFire(rule, at("2026-03-29T01:00:00Z")))).toBe("2026-03-30T00:30:00.000Z");
  });

  it("a time that occurs twice in autumn fires once (Paris, 25 October 2026)", () => {
    // 02:30 happens at 00:30Z (+02) and again at 01:30Z (+01).
    const rule = { kind: "cron", cron: "30 2 * * *", timeZone: "Europe/Paris" } as const;
    const first = nextFire(rule, at("2026-10-24T12:00:00Z"));
    expect(iso(first)).toBe("2026-10-25T00:30:00.000Z");
    expect(iso(nextFire(rule, first ?? at("1970-01-01T00:00:00Z")))).toBe("2026-10-26T01:30:00.000Z");
  });

  it("the same expression in two zones fires at different instants", () => {
    const after = at("2026-12-01T00:00:00Z");
    const utc = nextFire({ kind: "cron", cron: "0 6 * * *", timeZone: "UTC" }, after);
    const tokyo = nextFire({ kind: "cron", cron: "0 6 * * *", timeZone: "Asia/Tokyo" }, after);
    expect(iso(utc)).toBe("2026-12-01T06:00:00.000Z");
    expect(iso(tokyo)).toBe("2026-12-01T21:00:00.000Z");
  });
});

describe("nextFire, every N minutes", () => {
  it.each([
    [1, "2026-12-01T06:25:13Z", "2026-12-01T06:26:00.000Z"],
    [15, "2026-12-01T06:25:13Z", "2026-12-01T06:30:00.000Z"],
    [15, "2026-12-01T06:30:00Z", "2026-12-01T06:45:00.000Z"],
    [60, "2026-12-01T23:59:59Z", "2026-12-02T00:00:00.000Z"],
    [1440, "2026-12-01T06:25:13Z", "2026-12-02T00:00:00.000Z"],
  ])("every %i min after %s", (everyMinutes, after, expected) => {
    expect(iso(nextFire({ kind: "every", everyMinutes }, at(after)))).toBe(expected);
  });
});

describe("validation", () => {
  it.each(["*/15 * * * *", "0 9 * * 1-5", "@hourly", "5 4 * * sun"])("accepts %s", (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });
  it.each([
    ["61 * * * *", /minute/],
    ["* * * * * *", /5-field/],
    ["every day", /5-field/],
    ["0 0 30 2 *", /never fires/],
  ])("refuses %s", (cron, why) => {
    expect(cronProblem(cron)).toMatch(why);
  });
  it("knows IANA zones and refuses others", () => {
    expect(timeZoneProblem("Europe/Paris")).toBeUndefined();
    expect(timeZoneProblem("UTC")).toBeUndefined();
    expect(timeZoneProblem("Mars/Olympus_Mons")).toMatch(/not an IANA time zone/);
  });
});
