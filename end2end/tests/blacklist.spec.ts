import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

test('a supervisor blacklists a customer: the agent reply is refused with the reason, what the customer sends is dropped and counted, and taking them off lets the agent write again', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `vera${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Vera ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Direct ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const customer = `rude-${stamp}`;
  const write = (text: string) => api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: customer, name: `Rudo ${stamp}`, text },
  });
  expect((await write('hola')).status()).toBe(202);
  await agent.getByRole('list', { name: 'My chats' }).getByRole('link', { name: `Rudo ${stamp}` }).click();

  await supervisor.goto('/supervisor/blacklist');
  await hydrated(supervisor);
  const form = supervisor.getByRole('form', { name: 'Add to the blacklist' });
  await form.getByLabel('Channel').selectOption('api');
  await form.getByLabel('Number or account').fill(customer);
  await form.getByLabel('Why').fill('Insulted an agent');
  await form.getByRole('button', { name: 'Add to the blacklist' }).click();
  const entries = supervisor.getByRole('list', { name: 'Accounts on the blacklist' });
  const entry = entries.getByRole('listitem').filter({ hasText: customer });
  await expect(entry).toContainText('Insulted an agent');
  await form.getByLabel('Channel').selectOption('whatsapp');
  // A number written as people write it is listed as WhatsApp names it.
  const digits = String(stamp).slice(-8);
  await form.getByLabel('Number or account').fill(`+34 6${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}`);
  await form.getByLabel('Why').fill('Spam');
  await form.getByRole('button', { name: 'Add to the blacklist' }).click();
  const number = entries.getByRole('listitem').filter({ hasText: `+346${digits}` });
  await expect(number).toContainText('Spam');

  await agent.getByLabel('Reply').fill('¿En qué te ayudo?');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(agent.getByRole('alert')).toContainText('Insulted an agent');

  expect((await write('¿hola?')).status()).toBe(403);
  await supervisor.reload();
  await hydrated(supervisor);
  await expect(entry.locator('.dropped')).toHaveText('1');

  await supervisor.getByRole('button', { name: `Remove from the blacklist ${customer}` }).click();
  await expect(entry).toHaveCount(0);
  await agent.getByLabel('Reply').fill('¿En qué te ayudo?');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(agent.getByRole('list', { name: 'Messages' }).getByText('¿En qué te ayudo?')).toBeVisible();
  await supervisor.getByRole('button', { name: `Remove from the blacklist +346${digits}` }).click();
  await expect(number).toHaveCount(0);
});
