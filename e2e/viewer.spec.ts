import { expect, test } from "@playwright/test";

/**
 * An owner makes a viewer's account in Settings; signed in as that viewer, the UI offers no
 * writes, and the server refuses the ones forced through anyway (the form, the tRPC API).
 */
const stamp = Date.now().toString(36);
const VIEWER = { name: "E2E Viewer", email: `viewer_${stamp}@e2e.quiver.test`, password: `temp-pw-${stamp}` };

test("a viewer made in Settings sees no writes, and the server refuses them", async ({ page, browser }) => {
  await page.goto("/p/demo/settings");
  await page.getByRole("button", { name: "Create account" }).click();
  const form = page.getByRole("form", { name: "Create an account" });
  await form.getByLabel("Name").fill(VIEWER.name);
  await form.getByLabel("Email").fill(VIEWER.email);
  await form.getByLabel("Temporary password").fill("short");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByText("Use at least 10 characters")).toBeVisible();
  await page.screenshot({ path: "/tmp/quiver-shots/settings-create-account.png", fullPage: true });

  await form.getByLabel("Temporary password").fill(VIEWER.password);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Hand them the temporary password" }),
  ).toBeVisible();
  await expect(page.getByTestId(`member-${VIEWER.email}`)).toBeVisible();
  await page.screenshot({ path: "/tmp/quiver-shots/settings-account-created.png", fullPage: true });

  // The same email again is refused inline, pointing at "Add member".
  await page.getByRole("button", { name: "Create account" }).click();
  await form.getByLabel("Name").fill(VIEWER.name);
  await form.getByLabel("Email").fill(VIEWER.email);
  await form.getByLabel("Temporary password").fill(VIEWER.password);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(form.getByText(/already has an account: add them as a member/)).toBeVisible();

  // The viewer, in a browser of their own (no owner session).
  const context = await browser.newContext({ storageState: undefined });
  try {
    const viewer = await context.newPage();
    await viewer.goto("/login");
    await viewer.getByLabel("Email").fill(VIEWER.email);
    await viewer.getByLabel("Password").fill(VIEWER.password);
    await viewer.getByRole("button", { name: "Sign in" }).click();
    await expect(viewer.getByTestId("signed-in-as")).toHaveText(VIEWER.email);

    await viewer.goto("/p/demo/views/driver_hourly_stats");
    await expect(viewer.getByRole("heading", { name: "driver_hourly_stats" })).toBeVisible();
    await expect(viewer.getByRole("heading", { name: "Materialization" })).toBeVisible();
    await expect(viewer.getByTestId("edit-view")).toHaveCount(0);
    await expect(viewer.getByTestId("materialize-button")).toHaveCount(0);
    await viewer.screenshot({ path: "/tmp/quiver-shots/viewer-view-page.png", fullPage: true });

    // Straight to the form: the page says which roles may register, in plain words, before any
    // input is filled; the list pages offer no New buttons.
    await viewer.goto("/p/demo/views/new");
    await expect(viewer.getByTestId("role-refusal")).toContainText(
      "Editors, operators and owners can register feature views; you are a viewer in this project.",
    );
    await expect(viewer.getByRole("textbox", { name: "Name", exact: true })).toHaveCount(0);
    await expect(viewer.getByText("definitions.write")).toHaveCount(0);

    await viewer.goto("/p/demo/entities/new");
    await expect(viewer.getByTestId("role-refusal")).toContainText(
      "Editors, operators and owners can register entities; you are a viewer in this project.",
    );
    await viewer.goto("/p/demo/entities");
    await expect(viewer.getByTestId("object-actions-driver")).toBeVisible();
    await expect(viewer.getByRole("link", { name: "New entity" })).toHaveCount(0);
    const del = viewer.getByRole("button", { name: "Delete driver", exact: true });
    await expect(del).toBeDisabled();
    await expect(del).toHaveAttribute(
      "title",
      /Editors, operators and owners can change or delete entities; you are a viewer/,
    );
    await viewer.screenshot({ path: "/tmp/quiver-shots/viewer-entities.png", fullPage: true });

    // The API with the viewer's cookies: refused by role, not by a missing session.
    const res = await context.request.post("/api/trpc/entities.create", {
      headers: { "content-type": "application/json" },
      data: JSON.stringify({
        json: { project: "demo", name: `viewer_${stamp}`, joinKey: "k", valueType: "int64" },
      }),
    });
    expect(res.status()).toBe(403);
  } finally {
    await context.close();
  }
});
