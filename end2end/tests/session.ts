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
  await expect(page).toHaveURL((url) => url.pathname === '/supervisor/queues');
  await hydrated(page);
}

/** Signs an auditor in through the supervisors' sign-in page, as a user would; they land on their pages. */
export async function signInAsAuditor(page: Page, email: string, password: string) {
  await page.goto('/login/supervisor');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login\//);
}

/** Fills and sends the agents' sign-in page as a user would; the caller checks where it leads. */
export async function submitAgentSignIn(page: Page, email: string, password: string) {
  await page.goto('/login/agent');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the agents' sign-in page and waits for the agent's own page. */
export async function signInAsAgent(page: Page, email: string, password: string) {
  await submitAgentSignIn(page, email, password);
  // The path itself: a pattern like /agent$ would also match the sign-in page /login/agent and
  // let the caller go on before the sign-in is done.
  await expect(page).toHaveURL((url) => url.pathname === '/agent');
  await hydrated(page);
}
