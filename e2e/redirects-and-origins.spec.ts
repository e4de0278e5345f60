import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { OWNER } from "./fixtures/owner";

// docs/adr/0015: `?next=` never leaves the site, and signing in and out works at every loopback
// name of the app's port. (The public-hostname case behind a proxy is an integration test:
// server/web/public-origin.int.test.ts.)

const SIGNED_OUT = { cookies: [], origins: [] };

/** `next` values as they stand in the URL's query (percent-encoded where a browser would keep them). */
const UNSAFE_NEXT = [
  "/%09/example.org/x", // tab: Chromium drops it and goes to //example.org/x
  "/%0a/example.org/x", // newline: was a 500 (a newline in the Location header)
  "/%0d%0a/example.org/x",
  "%09//example.org/x",
  "//example.org/x",
  "%2F%2Fexample.org%2Fx",
  "/%5Cexample.org/x",
  "/%5C/example.org/x",
  "/%2509/example.org/x", // double-encoded tab
  "/%252F/example.org/x", // double-encoded slash
  "/.//example.org/x",
  "https://example.org/x",
  "https%3A%2F%2Fexample.org%2Fx",
  "http:example.org",
  "javascript:alert(1)",
];

/** Any navigation that leaves the app lands on a page saying so (no network needed). */
async function trapOtherSites(context: BrowserContext, appOrigin: string): Promise<void> {
  await context.route(
    (url) => url.origin !== appOrigin,
    (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<h1>left the site</h1>" }),
  );
}

function originOf(page: Page): string {
  return new URL(page.url()).origin;
}

test.describe("signed in, /login?next=", () => {
  for (const next of UNSAFE_NEXT) {
    test(`redirects ${next} to the home page`, async ({ page }) => {
      const res = await page.request.get(`/login?next=${next}`, { maxRedirects: 0 });
      expect(res.status()).toBe(307);
      expect(res.headers().location).toBe("/");
    });
  }

  test("keeps a same-origin path", async ({ page }) => {
    const res = await page.request.get("/login?next=%2Fp%2Fdemo%2Fentities", { maxRedirects: 0 });
    expect(res.status()).toBe(307);
    expect(res.headers().location).toBe("/p/demo/entities");
  });

  test("never takes the browser to another site", async ({ page, context, baseURL }) => {
    const app = new URL(baseURL ?? "").origin;
    await trapOtherSites(context, app);
    for (const next of ["/%09/example.org/x", "/%0a/example.org/x", "%2F%2Fexample.org%2Fx"]) {
      await page.goto(`/login?next=${next}`);
      expect(originOf(page), next).toBe(app);
      await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);
    }
  });
});

test.describe("signing in with ?next=", () => {
  test.use({ storageState: SIGNED_OUT });

  for (const next of ["/%09/example.org/x", "/%5C/example.org/x", "/%2F/example.org/x"]) {
    test(`${next} ends on this site`, async ({ page, context, baseURL }) => {
      const app = new URL(baseURL ?? "").origin;
      await trapOtherSites(context, app);
      await page.goto(`/login?next=${next}`);
      await page.getByLabel("Email").fill(OWNER.email);
      await page.getByLabel("Password").fill(OWNER.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);
      expect(originOf(page)).toBe(app);
      await expect(page).toHaveURL(/\/p\/demo\/features$/);
    });
  }
});

test.describe("signing in and out at a loopback address", () => {
  for (const host of ["127.0.0.1", "[::1]"]) {
    test(`works at http://${host}`, async ({ browser, baseURL }) => {
      const app = `http://${host}:${new URL(baseURL ?? "").port}`;
      const context = await browser.newContext({ baseURL: app, storageState: SIGNED_OUT });
      try {
        const page = await context.newPage();
        await page.goto("/p/demo/entities");
        await expect(page).toHaveURL(/\/login\?next=%2Fp%2Fdemo%2Fentities/);
        await page.getByLabel("Email").fill(OWNER.email);
        await page.getByLabel("Password").fill(OWNER.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await expect(page.getByTestId("signed-in-as")).toHaveText(OWNER.email);
        expect(page.url()).toBe(`${app}/p/demo/entities`);

        await page.getByRole("button", { name: "Sign out" }).click();
        await expect(page).toHaveURL(/\/login/);
        expect(originOf(page)).toBe(app);
        // The session is gone on the server, not only in this browser's view.
        await page.goto("/p/demo/features");
        await expect(page).toHaveURL(/\/login\?next=/);
        expect((await page.request.get("/api/trpc/projects.list")).status()).toBe(401);
      } finally {
        await context.close();
      }
    });
  }
});
