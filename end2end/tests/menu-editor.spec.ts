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
  await page.locator('summary', { hasText: 'JSON view' }).click();
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

test('a supervisor builds a menu with forms, sees a mistake on its option, makes a text resolve the chat, and copies the menu to another line', async ({ page }) => {
  const stamp = Date.now();
  await signInAsSupervisor(page);
  const api = page.request;
  const sales = (await (await api.post('/api/v1/queues', { data: { name: `Sales ${stamp}` } })).json()).id;
  for (const name of [`Shop ${stamp}`, `Outlet ${stamp}`]) {
    expect((await api.post('/api/v1/lines', { data: { name, routing: { queue: sales } } })).status()).toBe(201);
  }
  await page.goto('/supervisor/lines');
  await hydrated(page);
  await page.getByRole('row', { name: new RegExp(`Shop ${stamp}`) }).getByRole('button', { name: 'Edit menu' }).click();
  const builder = page.getByRole('region', { name: 'Menu', exact: true });
  const preview = page.getByRole('list', { name: 'Preview' });
  const option = (place: string) => builder.locator(`li.menu-option[data-place="${place}"]`);

  await builder.getByLabel('What the bot says first, above the options').fill(`Welcome to Shop ${stamp}`);
  await expect(preview.getByText(`Welcome to Shop ${stamp}`)).toBeVisible();
  await option('1').getByLabel('Text', { exact: true }).fill('Calle 1, Rosario. Open 9 to 18.');
  await option('1').getByLabel(/Resolve the chat right after this answer/).check();

  await builder.getByRole('button', { name: 'Add an option' }).click();
  await option('2').getByLabel('What it does').selectOption({ label: 'Talk to an agent' });
  await option('2').getByLabel('Queue', { exact: true }).selectOption({ label: `Sales ${stamp}` });
  // The new option has no label yet: the mistake is shown on it.
  await expect(option('2').locator('.option-problem')).toContainText('option 2: an option needs a label');
  await option('2').getByLabel('Label', { exact: true }).fill('Buy');
  await expect(option('2').locator('.option-problem')).toHaveCount(0);

  await builder.getByRole('button', { name: 'Add an option' }).click();
  await option('3').getByLabel('Label', { exact: true }).fill('My order');
  await option('3').getByLabel('What it does').selectOption({ label: 'Asks for data' });
  await option('3').getByLabel('Question', { exact: true }).fill('Your order number?');
  await option('3').getByLabel('The answer must be').selectOption({ label: 'A number' });
  await option('3').getByLabel('At least').fill('1');

  await expect(preview.getByRole('button', { name: 'My order' })).toBeVisible();
  await preview.getByRole('button', { name: 'My order' }).click();
  await expect(preview.getByText('Your order number?')).toBeVisible();
  await page.getByRole('button', { name: 'Start again' }).click();
  await preview.getByRole('button', { name: 'Opening hours' }).click();
  await expect(preview.getByText('Calle 1, Rosario. Open 9 to 18.')).toBeVisible();
  await expect(preview.locator('li.bubble').last()).toHaveText('The conversation ends');

  await page.locator('summary', { hasText: 'JSON view' }).click();
  await expect(page.getByLabel('Menu (JSON)')).toHaveValue(/"resolve": true/);
  await page.getByRole('button', { name: 'Save menu' }).click();
  await expect(page.getByText('Saved: customers get this menu now.')).toBeVisible();

  await page.getByLabel('Copy this menu to the line').selectOption({ label: `Outlet ${stamp}` });
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByText("Copied: that line's customers get this menu now.")).toBeVisible();
  const lines = await (await api.get('/api/v1/lines')).json();
  const menuOf = (name: string) => lines.find((l: { name: string }) => l.name === name).routing.menu;
  for (const name of [`Shop ${stamp}`, `Outlet ${stamp}`]) {
    const menu = menuOf(name);
    expect(menu.header).toBe(`Welcome to Shop ${stamp}`);
    expect(menu.options[0].action).toMatchObject({ kind: 'text', text: 'Calle 1, Rosario. Open 9 to 18.', resolve: true });
    expect(menu.options[1]).toMatchObject({ label: 'Buy', action: { kind: 'queue', queue: sales } });
    expect(menu.options[2].action.questions[0]).toMatchObject({ text: 'Your order number?', check: { kind: 'number', min: 1 } });
  }
});
