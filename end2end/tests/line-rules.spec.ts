import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

test('a supervisor sets the rules of a line for its agents on the lines page; an agent of the line is then refused an edit, with the reason in place', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `rosa${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Rosa ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Rules ${stamp}`, routing: { agent: agentId } } })).json()).id;

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Pablo Ruiz', text: 'Hola' },
  });
  expect(sent.status()).toBe(202);
  await agent.getByRole('list', { name: 'My chats' }).getByRole('link', { name: 'Pablo Ruiz' }).click();
  await agent.getByLabel('Reply').fill('Buen día');
  await agent.getByRole('button', { name: 'Send' }).click();
  const reply = agent.getByRole('list', { name: 'Messages' }).locator('li.direction-out').filter({ hasText: 'Buen día' });
  await expect(reply).toBeVisible();

  await supervisor.goto('/supervisor/lines');
  await hydrated(supervisor);
  const row = supervisor.locator(`tr[data-id="${line}"]`);
  await expect(row.getByLabel('When an agent goes offline')).toHaveValue('wait');
  await expect(row.getByLabel('Agents may edit and delete their messages')).toBeChecked();
  await row.getByLabel('When an agent goes offline').selectOption({ label: 'Their chats go to another agent of the queue' });
  await row.getByLabel('Agents may edit and delete their messages').uncheck();
  await row.getByRole('button', { name: 'Save rules' }).click();
  await supervisor.reload();
  await hydrated(supervisor);
  await expect(row.getByLabel('When an agent goes offline')).toHaveValue('transfer_to_queue');
  await expect(row.getByLabel('Agents may edit and delete their messages')).not.toBeChecked();

  await reply.getByRole('button', { name: 'Edit' }).click();
  await agent.getByLabel('New words').fill('Buenas tardes');
  await agent.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(agent.getByRole('alert')).toHaveText("the line's agents may not edit or delete messages");
  await expect(reply.locator('.text')).toHaveText('Buen día');
});
