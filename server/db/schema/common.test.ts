import { PgDialect, pgTable, text } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { oneOf } from "./common";

const things = pgTable("things", { kind: text("kind").notNull() });

describe("oneOf", () => {
  it("inlines the values as quoted literals (drizzle-kit diffs this text)", () => {
    const q = new PgDialect().sqlToQuery(oneOf(things.kind, ["a", "it's", "list<int32>"]));
    expect(q.sql).toBe(`"things"."kind" in ('a', 'it''s', 'list<int32>')`);
    expect(q.params).toEqual([]);
  });
});
