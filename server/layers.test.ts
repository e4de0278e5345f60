import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cruise } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { describe, expect, it } from "vitest";

// The layer rules in .dependency-cruiser.cjs (docs/adr/0018-enforced-layers.md) must catch a
// violation, not just pass on a clean tree: plant one in a service folder, cruise what
// `npm run deps` cruises, and expect exactly the planted violations.

const ROOT = path.resolve(import.meta.dirname, "..");
/** The same roots as the `deps` script in package.json. */
const CRUISED = ["server", "components", "app", "bin", "trpc", "proxy.ts"];

async function violations(): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
    const { output } = await cruise(CRUISED, options, {}, { tsConfig: extractTSConfig("tsconfig.json") });
    if (typeof output === "string") throw new Error("expected a structured cruise result");
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe("layer rules", () => {
  it("report a service that imports Next, React or a component, and nothing else", async () => {
    const planted = `server/registry/planted-violation-${process.pid}.ts`;
    writeFileSync(
      path.join(ROOT, planted),
      [
        'import { headers } from "next/headers";',
        'import { cache } from "react";',
        'import { KIND_STYLE } from "@/components/lineage/kinds";',
        "export const planted = [headers, cache, KIND_STYLE];",
        "",
      ].join("\n"),
    );
    try {
      expect(await violations()).toEqual([
        `domain-not-to-next-or-react: ${planted} -> node_modules/next/headers.js`,
        `domain-not-to-next-or-react: ${planted} -> node_modules/react/index.js`,
        `domain-not-to-ui: ${planted} -> components/lineage/kinds.ts`,
      ]);
    } finally {
      rmSync(path.join(ROOT, planted), { force: true });
    }
  }, 120_000);

  it("report a schema file that imports a domain module", async () => {
    const planted = `server/db/schema/planted-violation-${process.pid}.ts`;
    writeFileSync(
      path.join(ROOT, planted),
      [
        'import type { FeatureViewSpec } from "../../registry/schemas";',
        'import { ROLES } from "../../core/vocabulary";',
        "export type Planted = FeatureViewSpec;",
        "export const planted = ROLES;",
        "",
      ].join("\n"),
    );
    try {
      expect(await violations()).toEqual([
        `schema-imports-only-core: ${planted} -> server/registry/schemas.ts`,
      ]);
    } finally {
      rmSync(path.join(ROOT, planted), { force: true });
    }
  }, 120_000);
});
