import { type Browser, expect, type Page, test } from "@playwright/test";
import { OWNER } from "./fixtures/owner";

/**
 * Instance administrators (docs/adr/0014-instance-administrators.md). The setup owner is one: they
 * see the instance audit log (sign-ins have no project) and create projects; everyone sees their
 * own recent sign-ins in the account menu; a non-admin gets "administrators only" and 403s.
 */
const stamp = Date.now().toString(36);
const SHOTS = "/tmp/quiver-shots";

async function signIn(browser: Browser, email: string, password: string, wrongFirst = false) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  if (wrongFirst) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  return { context, page };
}

async function openAccountMenu(page: Page) {
  const button = page.getByRole("button", { name: "Account menu" });
  const menu = page.getByRole("dialog", { name: "Account" });
  // On a busy machine the page can paint before React hydrates, and a click then does nothing:
  // click until the menu shows (only while it is closed, so a slow open is never toggled shut).
  await expect(async () => {
    if (!(await menu.isVisible())) await button.click();
    await expect(menu).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  return menu;
}

test("the account menu shows my recent sign-ins, failed attempts on my email included", async ({
  browser,
}) => {
  const { context, page } = await signIn(browser, OWNER.email, OWNER.password, true);
  try {
    const menu = await openAccountMenu(page);
    const signIns = menu.getByRole("region", { name: "Recent sign-ins" });
    await expect(signIns.getByTestId("sign-in").first()).toContainText("Signed in");
    await expect(signIns.getByTestId("sign-in").first()).toContainText(/127\.0\.0\.1|::1/);
    await expect(signIns.getByTestId("sign-in").filter({ hasText: "Failed attempt" }).first()).toBeVisible();
    // An administrator also finds the Instance pages here.
    await expect(menu.getByRole("link", { name: "Instance audit log" })).toBeVisible();
    await expect(menu.getByRole("link", { name: "New project" })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/admin-account-menu.png` });
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
  } finally {
    await context.close();
  }
});

test("an admin reads the instance audit log, where sign-ins appear, with filters in the URL", async ({
  page,
  baseURL,
}) => {
  // A failed sign-in of an email nobody has: recorded without a project, shown nowhere else.
  const ghost = `ghost_${stamp}@e2e.quiver.test`;
  const failed = await page.request.post("/api/auth/sign-in/email", {
    headers: { origin: new URL(baseURL ?? "").origin },
    data: { email: ghost, password: "not a password at all" },
  });
  expect(failed.status()).toBe(401);

  await page.goto("/");
  const menu = await openAccountMenu(page);
  await menu.getByRole("link", { name: "Instance audit log" }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole("heading", { name: "Instance audit log" })).toBeVisible();
  const ghostRow = page.getByTestId("audit-row").filter({ hasText: ghost });
  await expect(ghostRow).toHaveCount(1);
  await expect(ghostRow).toContainText("auth.login_failed");
  await expect(ghostRow).toContainText("instance");
  // Project entries are here too, with their project.
  await expect(page.getByTestId("audit-row").filter({ hasText: "demo" }).first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/admin-audit.png`, fullPage: true });

  await page.getByLabel("Action").fill("auth.login_failed");
  await page.getByLabel("No project only").check();
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=auth\.login_failed/);
  await expect(page).toHaveURL(/scope=instance/);
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: ghost })).toHaveCount(1);
  expect(await rows.filter({ hasNotText: "auth.login_failed" }).count()).toBe(0);

  // Time filters: a day long past matches nothing.
  await page.goto("/admin/audit?to=2000-01-01");
  await expect(page.getByText("No entries match these filters")).toBeVisible();
  await expect(page.getByLabel("To (UTC)")).toHaveValue("2000-01-01");
});

test("an admin creates a project in the UI and becomes its owner", async ({ page }) => {
  const name = `e2e_made_${stamp}`;
  await page.goto("/p/demo/features");
  const menu = await openAccountMenu(page);
  await menu.getByRole("link", { name: "New project" }).click();
  await expect(page).toHaveURL(/\/admin\/projects\/new$/);
  const form = page.getByRole("form", { name: "Create a project" });

  await form.getByLabel("Name").fill("Bad Name");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByText("Start with a lowercase letter").first()).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");

  // The server's own rules: a name Postgres reserves for a schema, and a taken name.
  await form.getByLabel("Name").fill("public");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByText(/reserved by Postgres/)).toBeVisible();
  await form.getByLabel("Name").fill("demo");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(form.getByText(/a project named "demo" exists already/i)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/admin-new-project-error.png`, fullPage: true });

  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Description").fill("Made in the e2e run");
  await form.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/${name}/settings$`));
  await expect(page.getByTestId(`member-${OWNER.email}`)).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Project" })).toHaveValue(name);
  await page.screenshot({ path: `${SHOTS}/admin-project-created.png`, fullPage: true });

  // Audited in the new project.
  await page.goto(`/p/${name}/audit`);
  await expect(page.getByTestId("audit-row").filter({ hasText: "project.create" })).toHaveCount(1);
});

test("a non-admin sees 'administrators only', and the API refuses them with 403", async ({
  page,
  browser,
}) => {
  const person = {
    name: "E2E Member",
    email: `member_${stamp}@e2e.quiver.test`,
    password: `temp-pw-${stamp}`,
  };
  // The owner makes a plain member of demo (Settings' Create account, through its API).
  const made = await page.request.post("/api/trpc/access.createUser", {
    data: { json: { project: "demo", role: "editor", ...person } },
  });
  expect(made.status()).toBe(200);

  const { context, page: member } = await signIn(browser, person.email, person.password);
  try {
    const menu = await openAccountMenu(member);
    await expect(menu.getByRole("region", { name: "Recent sign-ins" }).getByTestId("sign-in")).toHaveCount(1);
    await expect(menu.getByRole("link", { name: "Instance audit log" })).toHaveCount(0);
    await expect(menu.getByRole("link", { name: "New project" })).toHaveCount(0);
    await member.screenshot({ path: `${SHOTS}/member-account-menu.png` });

    await member.goto("/admin/audit");
    await expect(member.getByText("Instance administrators only")).toBeVisible();
    await expect(member.getByRole("navigation", { name: "Instance" }).getByRole("link")).toHaveCount(0);
    await expect(member.getByTestId("audit-row")).toHaveCount(0);
    await member.screenshot({ path: `${SHOTS}/member-admin-refused.png`, fullPage: true });
    await member.goto("/admin/projects/new");
    await expect(member.getByText("Instance administrators only")).toBeVisible();
    await expect(member.getByRole("form", { name: "Create a project" })).toHaveCount(0);

    const audit = await context.request.get(
      `/api/trpc/admin.audit?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
    );
    expect(audit.status()).toBe(403);
    const create = await context.request.post("/api/trpc/admin.createProject", {
      data: { json: { name: `sneaky_${stamp}` } },
    });
    expect(create.status()).toBe(403);
    expect(await create.text()).toContain("instance administrators only");
  } finally {
    await context.close();
  }
});
