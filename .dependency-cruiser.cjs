// The layer rules (docs/adr/0018-enforced-layers.md, docs/architecture.md "Layers").
// `npm run deps` runs them; `npm run check` (and so CI) runs `npm run deps`.
// server/layers.test.ts plants a violation and checks that these rules catch it.

/** A service folder: anything in server/ but the web layer. */
const DOMAIN = "^server/(?!web/)";
/** Next, React and their types: only app/, components/, trpc/ and server/web/ may use them. */
const NEXT_OR_REACT = "^node_modules/(next|react|react-dom|@types/react|@types/react-dom)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-not-to-ui",
      comment:
        "server/<domain> is the services layer: it must not import the UI (components/, app/) or the " +
        "client wiring (trpc/). Shared pure code lives in the domain and the UI imports it.",
      severity: "error",
      from: { path: DOMAIN },
      to: { path: "^(components|app|trpc)/" },
    },
    {
      name: "domain-not-to-next-or-react",
      comment:
        "server/<domain> must not import Next or React. Web adapters (pages, HTTP doors) live in server/web/.",
      severity: "error",
      from: { path: DOMAIN },
      to: { path: NEXT_OR_REACT },
    },
    {
      name: "domain-not-to-web",
      comment:
        "The web layer calls the domain, never the reverse. Exceptions: server/boot/ is the composition " +
        "root that starts the HTTP server, and tests may drive a service through its door.",
      severity: "error",
      from: { path: DOMAIN, pathNot: ["^server/boot/", "\\.test\\.ts$"] },
      to: { path: "^server/web/" },
    },
    {
      name: "web-not-to-ui",
      comment: "server/web/ adapts HTTP and Next to services; it does not import components/ or app/.",
      severity: "error",
      from: { path: "^server/web/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(components|app)/" },
    },
    {
      name: "cli-not-to-web-or-ui",
      comment: "bin/ is a door of its own: it calls services, not the web layer, the UI, Next or React.",
      severity: "error",
      from: { path: "^bin/" },
      to: { path: ["^(components|app|trpc)/", "^server/web/", NEXT_OR_REACT] },
    },
    {
      name: "ui-not-to-db",
      comment:
        "Client code never imports the database client or the Drizzle schema, not even for types " +
        "(STYLE.md 11). Client components get their shapes from services' schemas.ts or tRPC types.",
      severity: "error",
      from: { path: ["^components/", "^trpc/(client|query-client)\\.tsx?$"] },
      to: { path: "^server/db/" },
    },
    {
      name: "ui-only-pure-server-code",
      comment:
        "components/ may import server code at run time only from modules known to be pure and " +
        "browser-safe; anything else must be a type-only import.",
      severity: "error",
      from: { path: "^components/" },
      to: {
        path: "^server/",
        pathNot: [
          "^server/registry/lineage/(types|traverse)\\.ts$",
          "^server/registry/schemas\\.ts$",
          "^server/on-demand/spec\\.ts$",
          "^server/streams/schemas\\.ts$",
          "^server/core/name\\.ts$",
          "^server/core/vocabulary\\.ts$",
          "^server/auth/roles\\.ts$",
          "^server/http/safe-next\\.ts$",
          "^server/transformations/schemas\\.ts$",
        ],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "schema-imports-only-core",
      comment:
        "The Drizzle schema is the single source of the tables (docs/adr/0019-schema-as-single-source.md): " +
        "it imports Drizzle, zod and the pure vocabulary in server/core/, never a domain's types.",
      severity: "error",
      from: { path: "^server/db/schema/", pathNot: "\\.test\\.ts$" },
      to: {
        path: ["^server/", "^node_modules/"],
        pathNot: ["^server/db/schema/", "^server/core/", "^node_modules/(drizzle-orm|zod)/"],
      },
    },
    {
      name: "no-circular",
      comment: "Import cycles make load order matter and layers blur.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(\\.next|\\.quiver|test-results|playwright-report)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
