import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

test('a supervisor writes a line\'s menu, walks it in the live preview, is told what is wrong, and saves it', async ({ page }) => {
  const stamp = Date.now();
  await signInAsSupervisor(page);
  const sales = (await (await page.request.post('/api/v1/queues', { data: { name: `Sales ${stamp}` } })).json()).id;

  await page.goto('/supervisor/lines');
  await hydrated(page);
  await page.getByLabel('Line name').fill(`Shop ${stamp}`);
  await page.getByLabel('Chats go to').selectOption({ label: `Sales ${stamp}` });
  await page.getByRole('button', { name: 'Create line' }).click();
  const row = page.getByRole('row', { name: new RegExp(`Shop ${stamp}`) });
  await expect(row.getByRole('cell', { name: `Queue Sales ${stamp}` })).toBeVisible();

  await row.getByRole('button', { name: 'Open widget' }).click();
  await expect(row.locator('code.snippet')).toContainText('/widget.js" data-line="wk_');

  await row.getByRole('button', { name: 'Edit menu' }).click();
  const preview = page.getByRole('list', { name: 'Preview' });
  await expect(preview.getByText('Welcome! How can we help?')).toBeVisible();

  const menu = {
    header: 'Hi, this is the shop',
    options: [
      { label: 'Help', action: { kind: 'submenu', header: 'Help with', options: [
        { label: 'Returns', action: { kind: 'text', text: 'You have 30 days' } } ] } },
      { label: 'Buy', action: { kind: 'queue', queue: sales } },
    ],
  };
  await page.getByLabel('Menu (JSON)').fill(JSON.stringify(menu, null, 2));
  await expect(preview.getByText('Hi, this is the shop')).toBeVisible();
  await preview.getByRole('button', { name: 'Help' }).click();
  await expect(preview.getByText('Help with')).toBeVisible();
  await preview.getByRole('button', { name: 'Returns' }).click();
  await expect(preview.getByText('You have 30 days')).toBeVisible();
  await page.getByLabel('Answer as the customer').fill('1');
  await page.getByRole('button', { name: 'Say', exact: true }).click();
  await expect(preview.locator('li.from-bot').last()).toContainText('Hi, this is the shop');
  await preview.getByRole('button', { name: 'Buy' }).click();
  await expect(preview.getByText(`The chat waits for an agent of Sales ${stamp}`)).toBeVisible();

  await page.getByLabel('Menu (JSON)').fill(JSON.stringify({ header: 'Hi', options: [] }));
  await expect(page.locator('.menu-problem')).toHaveText('the menu cannot be used: the first level: a level has 1 to 9 options');
  await page.getByLabel('Menu (JSON)').fill('{ "header": ');
  await expect(page.locator('.menu-problem')).toContainText('the menu is not valid JSON for a menu');
  await page.getByRole('button', { name: 'Save menu' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not valid JSON' }).first()).toBeVisible();

  await page.getByLabel('Menu (JSON)').fill(JSON.stringify(menu));
  await page.getByRole('button', { name: 'Save menu' }).click();
  await expect(page.getByText('Saved: customers get this menu now.')).toBeVisible();
  await expect(row.getByRole('cell', { name: 'The menu bot' })).toBeVisible();
  const lines = await (await page.request.get('/api/v1/lines')).json();
  const saved = lines.find((l: { name: string }) => l.name === `Shop ${stamp}`);
  expect(saved.routing.menu.header).toBe('Hi, this is the shop');
});
