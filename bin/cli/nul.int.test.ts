import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { listApiKeys } from "../../server/auth/api-keys";
import { ensureProject } from "../../server/registry";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { type CliSessionEnv, cliOn } from "../../test/helpers/cli";
import { main } from "./main";

/** The CLI door: a NUL character in an argument is a one-line error naming the field, exit 1. */
let t: TestDb;
let cli: CliSessionEnv | undefined;

beforeAll(async () => {
  t = await createTestDb();
  await ensureProject({ ctx: testCtx(t), input: { name: "proj" } });
  cli = cliOn(t, "nul");
});

afterAll(async () => {
  const drop = async () => t?.drop();
  await (cli ? cli.restore(drop) : drop());
});

describe("a NUL character given to the CLI", () => {
  it("api-key create: names the field, creates nothing", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const code = await main([
      "api-key",
      "create",
      "--project",
      "proj",
      "--role",
      "viewer",
      "--name",
      "ci\u0000",
    ]);
    expect(errors.mock.calls.map((c) => String(c[0]))).toContain(
      "quiver api-key: name: must not contain the NUL character (\\u0000)",
    );
    expect(code).toBe(1);
    expect(await listApiKeys({ ctx: testCtx(t), input: { project: "proj" } })).toEqual([]);
    vi.restoreAllMocks();
  });

  it("user create: names the field", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const code = await main([
      "user",
      "create",
      "--email",
      "ada@example.com",
      "--name",
      "Ada\u0000",
      "--password",
      "correct horse battery",
    ]);
    expect(errors.mock.calls.map((c) => String(c[0]))).toContain(
      "quiver user: name: must not contain the NUL character (\\u0000)",
    );
    expect(code).toBe(1);
    vi.restoreAllMocks();
  });
});
