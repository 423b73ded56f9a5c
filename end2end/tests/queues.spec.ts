import { test, expect, Page } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

async function openQueues(page: Page) {
  await page.goto('/supervisor/queues');
  await hydrated(page);
}

test('a supervisor creates a queue and a second tab sees it appear without reloading', async ({ browser }) => {
  const context = await browser.newContext();
  const first = await context.newPage();
  const second = await context.newPage();
  await signInAsSupervisor(first);
  await openQueues(first);
  await openQueues(second);
  await second.evaluate(() => ((window as any).__notReloaded = true));

  const name = `Sales ${Date.now()}`;
  await first.getByLabel('Queue name').fill(name);
  await first.getByRole('button', { name: 'Create queue' }).click();

  await expect(first.getByRole('list', { name: 'Queues' }).getByText(name, { exact: true })).toBeVisible();
  await expect(second.getByRole('list', { name: 'Queues' }).getByText(name, { exact: true })).toBeVisible();
  expect(await second.evaluate(() => (window as any).__notReloaded)).toBe(true);
});

test('a duplicate queue name is refused with a message in the form', async ({ page }) => {
  await signInAsSupervisor(page);
  const name = `Billing ${Date.now()}`;
  await page.getByLabel('Queue name').fill(name);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await expect(page.getByRole('list', { name: 'Queues' }).getByText(name, { exact: true })).toBeVisible();

  await page.getByLabel('Queue name').fill(`  ${name.toUpperCase()} `);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');
  await expect(page.getByRole('list', { name: 'Queues' }).getByRole('listitem').filter({ hasText: new RegExp(`^${name}$`, 'i') })).toHaveCount(1);
});

test('an empty queue name is refused with a message in the form', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.getByLabel('Queue name').fill('   ');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await expect(page.getByRole('alert')).toContainText('the queue needs a name');
});
