import { expect, test } from "@playwright/test";

test("the home page loads and shows the navigation", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("navigation").first()).toBeVisible();
});

test("GET /api/v1/health answers 200", async ({ request }) => {
  const response = await request.get("/api/v1/health");
  expect(response.status()).toBe(200);
});
