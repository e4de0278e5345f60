import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../auth/roles";
import { ROUTE_ACTIONS } from "./route-actions";

/** Every HTTP route file's methods must declare what they need (deny by default for new doors). */
const APP = path.resolve(import.meta.dirname, "../../app");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return e.name === "route.ts" ? [p] : [];
  });
}

function exportedMethods(source: string): string[] {
  return METHODS.filter((m) =>
    new RegExp(
      `export\\s+(async\\s+)?(function|const)\\s+${m}\\b|\\bas\\s+${m}\\b|export\\s*\\{[^}]*\\b${m}\\b`,
    ).test(source),
  );
}

describe("HTTP doors", () => {
  const declared = new Set<string>();
  for (const file of routeFiles(APP)) {
    const route = `/${path.relative(APP, path.dirname(file)).split(path.sep).join("/")}`;
    for (const method of exportedMethods(fs.readFileSync(file, "utf8"))) declared.add(`${method} ${route}`);
  }

  it("finds the route files", () => {
    expect(declared.size).toBeGreaterThanOrEqual(7);
  });

  it("declares an action for every method of every route", () => {
    const missing = [...declared].filter((d) => !(d in ROUTE_ACTIONS));
    expect(missing, "routes without a declared action in server/http/route-actions.ts").toEqual([]);
  });

  it("declares nothing for a route that does not exist, and only known actions", () => {
    expect(Object.keys(ROUTE_ACTIONS).filter((d) => !declared.has(d))).toEqual([]);
    for (const action of Object.values(ROUTE_ACTIONS))
      expect(
        ["public", "per-procedure", "per-operation", "metrics"].includes(action) || action in ACTIONS,
      ).toBe(true);
  });
});
