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
  await expect(page.getByRole('list', { name: 'Queues' }).locator('.queue-name').filter({ hasText: new RegExp(`^${name}$`, 'i') })).toHaveCount(1);
});

test('an empty queue name is refused with a message in the form', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.getByLabel('Queue name').fill('   ');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await expect(page.getByRole('alert')).toContainText('the queue needs a name');
});

test('a supervisor renames a queue and sets its waiting message and time to answer, and a wrong time is refused in its form', async ({ page }) => {
  await signInAsSupervisor(page);
  const name = `Returns ${Date.now()}`;
  await page.getByLabel('Queue name').fill(name);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.getByText(`Settings of ${name}`).click();
  const form = page.getByRole('form', { name: `Settings of ${name}` });
  await form.getByLabel('Minutes to answer').fill('5000');
  await form.getByRole('button', { name: 'Save queue' }).click();
  await expect(form.getByRole('alert')).toContainText('minutes');

  const renamed = `${name} and exchanges`;
  await form.getByLabel('Name', { exact: true }).fill(renamed);
  await form.getByLabel('Waiting message').fill('You are number {position}; we answer in order.');
  await form.getByLabel('Minutes to answer').fill('7');
  await form.getByRole('button', { name: 'Save queue' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByRole('list', { name: 'Queues' }).locator('.queue-name').filter({ hasText: renamed })).toHaveCount(1);

  await page.reload();
  await hydrated(page);
  await page.getByText(`Settings of ${renamed}`).click();
  const saved = page.getByRole('form', { name: `Settings of ${renamed}` });
  await expect(saved.getByLabel('Waiting message')).toHaveValue('You are number {position}; we answer in order.');
  await expect(saved.getByLabel('Minutes to answer')).toHaveValue('7');
  const row = (await (await page.request.get('/api/v1/queues')).json()).find((q: any) => q.name === renamed);
  expect(row.settings).toEqual({ waiting_message: 'You are number {position}; we answer in order.', no_answer_minutes: 7 });
});

test('a queue settings form stays open with what was typed while another queue appears live', async ({ page }) => {
  await signInAsSupervisor(page);
  const stamp = Date.now();
  const name = `Claims ${stamp}`;
  await page.getByLabel('Queue name').fill(name);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.getByText(`Settings of ${name}`).click();
  const form = page.getByRole('form', { name: `Settings of ${name}` });
  await form.getByLabel('Waiting message').fill('Half typed');

  // Someone else adds a queue: the list shows it at once and leaves the open form alone.
  expect((await page.request.post('/api/v1/queues', { data: { name: `Other ${stamp}` } })).status()).toBe(201);
  await expect(page.getByRole('list', { name: 'Queues' }).locator('.queue-name').filter({ hasText: `Other ${stamp}` })).toHaveCount(1);
  await expect(form).toBeVisible();
  await expect(form.getByLabel('Waiting message')).toHaveValue('Half typed');
  await form.getByRole('button', { name: 'Save queue' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
});
