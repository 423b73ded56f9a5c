import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

test('a supervisor routes a line to one agent then a group, sets its webhook and sees the secret once, and creates and revokes an API key', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Route ${stamp}` } })).json()).id;
  for (const who of ['Adela', 'Bruno']) {
    const made = await api.post('/api/v1/agents', { data: { name: `${who} ${stamp}`, email: `${who.toLowerCase()}${stamp}@example.com`, password: 'agent password' } });
    expect(made.status()).toBe(201);
  }
  const lineName = `Routed ${stamp}`;
  const line = (await (await api.post('/api/v1/lines', { data: { name: lineName, routing: { queue } } })).json()).id;

  await supervisor.goto('/supervisor/lines');
  await hydrated(supervisor);
  const row = supervisor.getByRole('row', { name: new RegExp(lineName) });
  await expect(row).toContainText(`Queue Route ${stamp}`);
  await supervisor.getByRole('button', { name: `Settings of ${lineName}` }).click();
  const settings = supervisor.getByRole('region', { name: `Settings of ${lineName}` });
  await settings.getByLabel('Agent', { exact: true }).selectOption({ label: `Adela ${stamp}` });
  await expect(settings.getByRole('radio', { name: 'One agent' })).toBeChecked();
  await settings.getByRole('button', { name: 'Save route' }).click();
  await expect(settings.getByRole('status')).toHaveText('Route saved.');
  await expect(row).toContainText(`Agent Adela ${stamp}`);

  await settings.getByRole('radio', { name: 'A group of agents' }).check();
  await settings.getByRole('button', { name: 'Save route' }).click();
  // An empty group is refused in words, not by a form the server cannot read.
  await expect(settings.getByRole('alert')).toContainText("choose where the line's chats go");
  await settings.getByRole('checkbox', { name: `Adela ${stamp}` }).check();
  await settings.getByRole('checkbox', { name: `Bruno ${stamp}` }).check();
  await settings.getByRole('button', { name: 'Save route' }).click();
  await expect(row).toContainText(`Agents Adela ${stamp}, Bruno ${stamp}`);

  await settings.getByLabel('Webhook address').fill('ftp://crm.example.com/in');
  await settings.getByRole('button', { name: 'Save webhook' }).click();
  await expect(settings.getByRole('alert')).toContainText('webhook');
  await settings.getByLabel('Webhook address').fill('https://crm.example.com/in');
  await settings.getByRole('button', { name: 'Save webhook' }).click();
  await expect(settings.locator('code.secret')).toHaveText(/^[0-9a-f]{64}$/);
  const lines: any[] = await (await api.get('/api/v1/lines')).json();
  expect(lines.find((l) => l.line_id === line).webhook_url).toBe('https://crm.example.com/in');

  const keys = supervisor.getByRole('region', { name: 'API keys' });
  await keys.getByLabel('Key name').fill(`Shop ${stamp}`);
  await keys.getByRole('button', { name: 'Create key' }).click();
  const key = (await keys.locator('code.secret').textContent()) ?? '';
  expect(key.length).toBeGreaterThan(20);
  const send = () => api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, text: 'Hola' },
  });
  expect((await send()).status()).toBe(202);
  await keys.getByRole('button', { name: `Revoke key Shop ${stamp}` }).click();
  await expect(keys.getByRole('listitem').filter({ hasText: `Shop ${stamp}` })).toContainText('(revoked)');
  expect((await send()).status()).toBe(401);
});
