import { test, expect } from '@playwright/test';
import { ADMIN, hydrated, signInAsSupervisor } from './session';

test('a supervisor signs in and lands on the console, and signs out', async ({ page }) => {
  await signInAsSupervisor(page);
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/supervisor/queues');
  await expect(page.getByRole('alert')).toContainText('please sign in');
});

test('a wrong password is refused with a message on the sign-in page', async ({ page }) => {
  await page.goto('/login/supervisor');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('wrong e-mail or password');
  await expect(page).toHaveURL(/\/login\/supervisor$/);
});

test('agents and supervisors have their own sign-in pages, each with its look', async ({ page }) => {
  await page.goto('/login/agent');
  await expect(page.getByRole('heading', { name: 'Agent sign-in' })).toBeVisible();
  const agentColour = await page.locator('.login h1').evaluate((el) => getComputedStyle(el).color);
  await page.goto('/login/supervisor');
  await expect(page.getByRole('heading', { name: 'Supervisor sign-in' })).toBeVisible();
  const supervisorColour = await page.locator('.login h1').evaluate((el) => getComputedStyle(el).color);
  expect(agentColour).not.toBe(supervisorColour);
});

test('the console asks to sign in when nobody is signed in', async ({ page }) => {
  await page.goto('/supervisor/queues');
  await expect(page.getByRole('alert')).toContainText('please sign in');
  await expect(page.getByRole('link', { name: 'sign in' })).toHaveAttribute('href', '/login/supervisor');
});
