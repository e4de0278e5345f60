import { expect, request as playwrightRequest, test } from "@playwright/test";

/** A per-run name, so re-runs against the same server never collide. */
const keyName = `e2e-key-${Date.now().toString(36)}`;

const LOOKUP = {
  project: "demo",
  features: ["driver_hourly_stats:conv_rate"],
  entities: { driver_id: [1001] },
};

test("an API key created in settings serves lookups until it is revoked there", async ({ page, baseURL }) => {
  // As the signed-in owner (the "app" project's storageState).
  await page.goto("/p/demo/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page.getByTestId("member-owner@e2e.quiver.test")).toBeVisible();

  await page.getByRole("button", { name: "Create key" }).click();
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill(keyName);
  await form.getByLabel("Role").selectOption("consumer");
  await form.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^qvr_[A-Za-z0-9_-]{43}$/);
  const key = (await shown.textContent()) ?? "";
  const row = page.getByTestId(`api-key-${keyName}`);
  await expect(row).toContainText(key.slice(0, 12));
  await expect(row).toContainText("active");
  await page.getByRole("button", { name: "Done" }).click();
  await expect(shown).toHaveCount(0);

  // A client with no cookies: only the key speaks for it.
  const machine = await playwrightRequest.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const anonymous = await machine.post("/api/v1/get-online-features", { data: LOOKUP });
    expect(anonymous.status()).toBe(401);
    const allowed = await machine.post("/api/v1/get-online-features", {
      data: LOOKUP,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(allowed.status()).toBe(200);

    await row.getByRole("button", { name: "Revoke…" }).click();
    await row.getByRole("button", { name: "Revoke", exact: true }).click();
    await expect(row).toContainText("revoked");

    const refused = await machine.post("/api/v1/get-online-features", {
      data: LOOKUP,
      headers: { "x-api-key": key },
    });
    expect(refused.status()).toBe(401);
  } finally {
    await machine.dispose();
  }
});

test("a script with an editor key registers definitions over REST and tRPC, with no browser session", async ({
  page,
  baseURL,
}) => {
  // The signed-in owner makes the key (Settings' Create key, through its API).
  const made = await page.request.post("/api/trpc/access.keys.create", {
    data: { json: { project: "demo", name: `${keyName}-editor`, role: "editor" } },
  });
  expect(made.status()).toBe(200);
  const key = ((await made.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
  const stamp = Date.now().toString(36);

  const script = await playwrightRequest.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  try {
    const spec = await script.get("/api/v1/openapi.json");
    expect(spec.status()).toBe(200);
    const doc = (await spec.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain("/api/v1/ops/entities.create");

    const auth = { authorization: `Bearer ${key}` };
    const viaRest = await script.post("/api/v1/ops/entities.create", {
      headers: auth,
      data: { project: "demo", name: `rest_${stamp}`, joinKey: "rest_id", valueType: "int64" },
    });
    expect(viaRest.status()).toBe(200);
    const viaTrpc = await script.post("/api/trpc/entities.create", {
      headers: auth,
      data: { json: { project: "demo", name: `trpc_${stamp}`, joinKey: "trpc_id", valueType: "string" } },
    });
    expect(viaTrpc.status()).toBe(200);
    // An editor may not manage keys, on either door.
    const refused = await script.post("/api/v1/ops/access.keys.list", {
      headers: auth,
      data: { project: "demo" },
    });
    expect(refused.status()).toBe(403);
    // A made-up key is refused, never taken for anonymous.
    const bad = await script.get("/api/trpc/projects.list", {
      headers: { authorization: "Bearer qvr_nope" },
    });
    expect(bad.status()).toBe(401);
  } finally {
    await script.dispose();
  }

  await page.goto("/p/demo/entities");
  await expect(page.getByText(`rest_${stamp}`)).toBeVisible();
  await expect(page.getByText(`trpc_${stamp}`)).toBeVisible();
});
