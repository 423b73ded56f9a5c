import { expect, Page } from '@playwright/test';

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery' };

/** Waits until the page is hydrated, so clicks reach the app and not a half-ready page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** Signs in through the supervisors' sign-in page, as a user would. */
export async function signInAsSupervisor(page: Page) {
  await page.goto('/login/supervisor');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/supervisor\/queues$/);
  await hydrated(page);
}
