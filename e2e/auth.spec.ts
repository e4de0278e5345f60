import { expect, test } from "@playwright/test";
import { OWNER } from "./fixtures/owner";

// Without the owner's saved session: each test starts signed out.
test.use({ storageState: { cookies: [], origins: [] } });

test("a signed-out visit goes to the login page and comes back after signing in", async ({ page }) => {
  await page.goto("/p/demo/entities");
  await expect(page).toHaveURL(/\/login\?next=%2Fp%2Fdemo%2Fentities/);
  await expect(page.getByRole("heading", { name: "Sign in to Quiver" })).toBeVisible();

  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // (Next's route announcer is an alert too.)
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();

  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back on the page first asked for (and never ending mid-navigation).
  await expect(page).toHaveURL(/\/p\/demo\/entities$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);
});

test("signing out ends the session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  // The old session is gone on the server, not only in this browser's view.
  await page.goto("/p/demo/features");
  await expect(page).toHaveURL(/\/login\?next=/);
  const api = await page.request.get("/api/trpc/projects.list");
  expect(api.status()).toBe(401);
});
