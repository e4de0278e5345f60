import { afterEach, describe, expect, it } from "vitest";
import { getRuntime } from "./boot/runtime";
import { env, resetEnvCache } from "./env";

/** A variable set but empty (`DATABASE_URL=` in a .env file or a compose file) counts as unset. */
const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
});

describe("env() with empty values", () => {
  it("takes DATABASE_URL= and REDIS_URL= as unset", () => {
    process.env.DATABASE_URL = "";
    process.env.REDIS_URL = "";
    resetEnvCache();
    expect(env().DATABASE_URL).toBeUndefined();
    expect(env().REDIS_URL).toBeUndefined();
  });

  it("still refuses a value that is set and wrong", () => {
    process.env.DATABASE_URL = "not a url";
    resetEnvCache();
    expect(() => env()).toThrow(/Invalid environment: DATABASE_URL/);
  });

  it("lets start-up go on to its no-database path instead of stopping with Invalid URL", async () => {
    process.env.DATABASE_URL = "";
    process.env.REDIS_URL = "";
    resetEnvCache();
    // The route handlers' runtime: without a database it says how to get one.
    await expect(getRuntime()).rejects.toThrow(/^DATABASE_URL is not set: start the app with `npm start`/);
  });
});
