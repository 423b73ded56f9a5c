import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

test('an agent types / in the reply, narrows the quick replies by words and category, takes one with the keyboard and sends it', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `lia${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Lía ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const billing = `Billing ${stamp}`;
  for (const [shortcut, title, text, category] of [
    [`factura${stamp}`, 'Invoice date', `Tu factura llega el día 5 (${stamp}).`, billing],
    [`fallo${stamp}`, 'Payment failed', `Reintentamos el cobro mañana (${stamp}).`, billing],
    [`saludo${stamp}`, 'Greeting', `¡Hola! Soy Lía (${stamp}).`, `Greetings ${stamp}`],
  ]) {
    expect((await api.post('/api/v1/quick-replies', { data: { shortcut, title, text, category } })).status()).toBe(201);
  }

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Carla Gómez', text: '¿Cuándo llega mi factura?' },
  });
  expect(sent.status()).toBe(202);
  const chats = agent.getByRole('list', { name: 'My chats' });
  await chats.getByRole('link', { name: 'Carla Gómez' }).click();
  await hydrated(agent);

  const reply = agent.getByLabel('Reply');
  const offered = agent.getByRole('listbox', { name: 'Quick replies' });
  // Every quick reply with "fa" in its shortcut, title or text: this test's two, at least.
  await reply.fill(`/f`);
  await reply.pressSequentially('a');
  await expect(offered.getByRole('option', { name: new RegExp(`/factura${stamp}`) })).toBeVisible();
  await expect(offered.getByRole('option', { name: new RegExp(`/fallo${stamp}`) })).toBeVisible();
  await expect(offered.getByRole('option', { name: new RegExp(`/saludo${stamp}`) })).toHaveCount(0);
  // Narrowed by the words after "/" and by category.
  await reply.fill(`/${stamp}`);
  await expect(offered.getByRole('option')).toHaveCount(3);
  await agent.getByLabel('Category').selectOption({ label: billing });
  await expect(offered.getByRole('option')).toHaveCount(2);
  await expect(offered.getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  // ↓ then Enter takes the second; the reply box now holds its text, and the list is gone.
  await reply.press('ArrowDown');
  await expect(offered.getByRole('option').nth(1)).toHaveAttribute('aria-selected', 'true');
  await reply.press('Enter');
  await expect(reply).toHaveValue(`Reintentamos el cobro mañana (${stamp}).`);
  await expect(offered).toHaveCount(0);
  await agent.getByRole('button', { name: 'Send' }).click();
  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('li.direction-out').getByText(`Reintentamos el cobro mañana (${stamp}).`)).toBeVisible();
  await expect(reply).toHaveValue('');
  // Escape closes the list without taking anything.
  await reply.fill(`/saludo${stamp}`);
  await expect(offered.getByRole('option')).toHaveCount(1);
  await reply.press('Escape');
  await expect(offered).toHaveCount(0);
  await expect(reply).toHaveValue(`/saludo${stamp}`);
});
