import { test, expect, Page } from '@playwright/test';
import { hydrated } from './session';

async function background(page: Page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

const LIGHT = 'rgb(246, 247, 249)';
const DARK = 'rgb(17, 20, 24)';

test('a person picks Spanish and the dark theme once: the page follows at once, and every page after, in both apps, until they pick again', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Sign in as an agent' })).toBeVisible();
  expect(await background(page)).toBe(LIGHT);

  await page.getByLabel('Language').selectOption({ label: 'Español' });
  await expect(page.getByRole('link', { name: 'Acceder como agente' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await page.getByLabel('Tema').selectOption({ label: 'Oscuro' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect.poll(() => background(page)).toBe(DARK);

  // Remembered: a new page of the other app comes already in Spanish and dark.
  await page.goto('/login/agent');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Acceso de agentes' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  expect(await background(page)).toBe(DARK);
  // An address that asks for a language still gets it.
  await page.goto('/login/agent?lang=en');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Agent sign-in' })).toBeVisible();

  // Back to the system's theme: the page follows the system again, whichever it is.
  await page.goto('/');
  await hydrated(page);
  await page.getByLabel('Tema').selectOption({ label: 'Como el sistema' });
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await expect.poll(() => background(page)).toBe(LIGHT);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => background(page)).toBe(DARK);
  await page.getByLabel('Idioma').selectOption({ label: 'English' });
  await expect(page.getByRole('link', { name: 'Sign in as an agent' })).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Sign in as an agent' })).toBeVisible();
});
