import { describe, expect, it } from "vitest";
import { STREAM_STALL_MS, streamState, transformationState } from "./engine-state";

// Each row written by hand from docs/adr/0040's tables.
const W = new Date("2026-12-01T12:00:00Z");
const at = (s: number) => new Date(W.getTime() + s * 1000);

describe("transformationState", () => {
  it.each([
    [
      "failed run beats everything",
      { lastRunStatus: "failed", watermark: W, newestInput: at(-60) },
      "failing",
    ],
    ["failed first run", { lastRunStatus: "failed", watermark: null, newestInput: null }, "failing"],
    ["no successful run", { lastRunStatus: "running", watermark: null, newestInput: at(-60) }, "never_run"],
    ["input at the watermark", { lastRunStatus: "succeeded", watermark: W, newestInput: W }, "stale"],
    ["input past the watermark", { lastRunStatus: "succeeded", watermark: W, newestInput: at(60) }, "stale"],
    [
      "input before the watermark",
      { lastRunStatus: "succeeded", watermark: W, newestInput: at(-1) },
      "fresh",
    ],
    ["input unknown", { lastRunStatus: "succeeded", watermark: W, newestInput: null }, "fresh"],
    ["a later run is queued", { lastRunStatus: "queued", watermark: W, newestInput: at(-1) }, "fresh"],
  ] as const)("%s", (_, facts, state) => {
    expect(transformationState(facts)).toBe(state);
  });
});

describe("streamState", () => {
  const base = { available: true, lag: 0, pending: 0, consumers: 1, idleMs: 500 };
  it.each([
    ["Redis unreadable", { ...base, available: false }, "unavailable"],
    ["nothing waits", base, "fresh"],
    ["nothing waits, no consumer", { ...base, consumers: 0, idleMs: null }, "fresh"],
    ["undelivered, consumer active", { ...base, lag: 3 }, "stale"],
    ["pending only, consumer active (its batch in hand)", { ...base, pending: 10 }, "fresh"],
    ["undelivered, no consumer", { ...base, lag: 3, consumers: 0, idleMs: null }, "failing"],
    ["pending, consumers idle too long", { ...base, pending: 2, idleMs: STREAM_STALL_MS + 1 }, "failing"],
    ["undelivered, consumer idle just at the limit", { ...base, lag: 1, idleMs: STREAM_STALL_MS }, "stale"],
    ["lag unknown", { ...base, lag: null }, "fresh"],
  ] as const)("%s", (_, facts, state) => {
    expect(streamState(facts)).toBe(state);
  });
});
