import { describe, expect, it } from "vitest";
import { isReservedSchema, projectRoles, provisionPlan, rolePassword, rolePrefixFor } from "./roles";

describe("role names", () => {
  it("tie a project's roles to one offline database and keep them within 63 characters", () => {
    expect(rolePrefixFor("quiver_offline")).toMatch(/^qv_[0-9a-f]{8}$/);
    expect(rolePrefixFor("quiver_offline")).not.toBe(rolePrefixFor("other_offline"));
    expect(projectRoles("qv_12345678", "demo")).toEqual({
      reader: "qv_12345678_demo_r",
      writer: "qv_12345678_demo_w",
    });
    const long = `p${"x".repeat(62)}`;
    const other = `p${"x".repeat(61)}y`;
    const a = projectRoles("qv_12345678", long);
    const b = projectRoles("qv_12345678", other);
    expect(a.reader.length).toBeLessThanOrEqual(63);
    expect(a.reader).not.toBe(b.reader);
    expect(a.reader.endsWith("_r") && a.writer.endsWith("_w")).toBe(true);
  });

  it("derive passwords from the secret", () => {
    expect(rolePassword("s1", "r")).toBe(rolePassword("s1", "r"));
    expect(rolePassword("s1", "r")).not.toBe(rolePassword("s2", "r"));
    expect(rolePassword("s1", "r")).not.toBe(rolePassword("s1", "w"));
  });

  it("know Postgres's own schemas", () => {
    expect(["public", "information_schema", "pg_catalog", "pg_toast"].every(isReservedSchema)).toBe(true);
    expect(isReservedSchema("demo")).toBe(false);
  });
});

describe("provisionPlan", () => {
  const plan = provisionPlan({
    database: "quiver_offline",
    roles: { reader: "r", writer: "w" },
    space: { own: ["demo"], shared: ["ref"] },
    secret: "s",
    existing: new Set(["w"]),
    timeouts: { scanMs: 600_000, writeMs: 60_000 },
  });

  it("creates only missing roles, as plain logins", () => {
    expect(plan.createRoles).toHaveLength(1);
    expect(plan.createRoles[0]).toMatch(
      /^CREATE ROLE "r" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD '/,
    );
  });

  it("grants the reader reads and the writer writes in own schemas, and shared schemas to the reader only", () => {
    expect(plan.grants).toEqual(
      expect.arrayContaining([
        'ALTER ROLE "r" SET default_transaction_read_only = on',
        'GRANT USAGE ON SCHEMA "demo" TO "r", "w"',
        'GRANT CREATE ON SCHEMA "demo" TO "w"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA "demo" TO "r"',
        'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA "demo" TO "w"',
        'GRANT USAGE ON SCHEMA "ref" TO "r"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA "ref" TO "r"',
      ]),
    );
    expect(plan.grants.filter((g) => g.includes('"ref"') && g.includes('"w"'))).toEqual([]);
    expect(plan.grants.join("\n")).not.toMatch(/GRANT (ALL|pg_)|SUPERUSER|CREATEROLE/);
  });
});
