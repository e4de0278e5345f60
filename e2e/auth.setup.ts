import { expect, test as setup } from "@playwright/test";
import { OWNER, OWNER_STATE } from "./fixtures/owner";

// The first-run setup test: a fresh database sends every page to /setup, which creates the owner,
// signs them in and lands in the demo project. The session is saved for the other specs.
setup("first-run setup creates the owner and signs them in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Quiver" })).toBeVisible();

  // Inline errors before anything is sent.
  await page.getByLabel("Your name").fill(OWNER.name);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill("too short");
  await page.getByRole("button", { name: "Create owner account" }).click();
  await expect(page.getByText("Use at least 10 characters")).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Confirm password").fill(`${OWNER.password}!`);
  await page.getByRole("button", { name: "Create owner account" }).click();
  await expect(page.getByText("The passwords do not match")).toBeVisible();

  await page.getByLabel("Confirm password").fill(OWNER.password);
  await page.getByRole("button", { name: "Create owner account" }).click();
  await expect(page).toHaveURL(/\/p\/demo\/features/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);

  // Setup is closed now: the page sends people to sign in.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup/);

  await page.context().storageState({ path: OWNER_STATE });
});
