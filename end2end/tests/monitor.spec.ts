import { test, expect, APIRequestContext } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

/** Moves the server's clock forward (the e2e server runs with `--test-clock true`). */
async function advance(api: APIRequestContext, seconds: number) {
  const moved = await api.post('/test/clock', { data: { advance_seconds: seconds } });
  expect(moved.status(), await moved.text()).toBe(200);
}

/** A fixed-offset zone where it is about noon now, so that the minutes this test makes pass never
 * cross the supervisor's midnight, whenever the test runs. */
function zoneAtNoon(): string {
  const offset = 12 - new Date().getUTCHours();
  // Etc/GMT zones count the other way: Etc/GMT-3 is three hours ahead of UTC.
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

test('the monitor shows the time paused per reason today and the longest wait of each queue as the clock moves', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext({ timezoneId: zoneAtNoon() })).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `mora${stamp}@example.com`;
  expect((await api.post('/api/v1/agents', { data: { name: `Mora ${stamp}`, email, password: 'agent password' } })).status()).toBe(201);
  const [breakReason, lunch] = [`Break ${stamp}`, `Lunch ${stamp}`];
  for (const name of [breakReason, lunch]) {
    expect((await api.post('/api/v1/pause-reasons', { data: { name } })).status()).toBe(201);
  }
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Nobody ${stamp}` } })).json()).id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Wait ${stamp}`, routing: { queue } } })).json()).id;

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  await agent.getByLabel('Reason').selectOption({ label: breakReason });
  await agent.getByRole('button', { name: 'Pause' }).click();
  await expect(agent.getByRole('status')).toHaveText(`Paused: ${breakReason}`);
  await advance(api, 10 * 60);
  await agent.getByRole('button', { name: 'Resume' }).click();
  await expect(agent.getByRole('status')).toHaveText('Available');
  await agent.getByLabel('Reason').selectOption({ label: lunch });
  await agent.getByRole('button', { name: 'Pause' }).click();
  await expect(agent.getByRole('status')).toHaveText(`Paused: ${lunch}`);
  await advance(api, 5 * 60);

  // Nobody is in the queue: the customer waits there.
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Inés', text: '¿Hay alguien?' },
  });
  expect(sent.status()).toBe(202);
  await supervisor.goto('/supervisor/monitor');
  await hydrated(supervisor);
  const waiting = supervisor.getByRole('table', { name: 'Queues now' }).getByRole('row', { name: new RegExp(`Nobody ${stamp}`) });
  await expect(waiting.locator('.waiting')).toHaveText('1');
  await expect(waiting.locator('.longest-wait')).toHaveText('0 min');

  await advance(api, 3 * 60);
  await supervisor.reload();
  await hydrated(supervisor);
  const row = supervisor.getByRole('table', { name: 'Agents now' }).getByRole('row', { name: new RegExp(`Mora ${stamp}`) });
  await expect(row.locator('.state')).toHaveText(`Paused: ${lunch}`);
  await expect(row.locator('.paused-today')).toHaveText(`${breakReason} 10 min, ${lunch} 8 min`);
  await expect(waiting.locator('.longest-wait')).toHaveText('3 min');
  await expect(row.locator('.pending')).toHaveText('0');
});

test('a supervisor narrows the open chats by line, state, agent and tag and resolves the chosen ones at once', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `olga${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Olga ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Empty ${stamp}` } })).json()).id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const waitLine = (await (await api.post('/api/v1/lines', { data: { name: `Queue line ${stamp}`, routing: { queue } } })).json()).id;
  const directLine = (await (await api.post('/api/v1/lines', { data: { name: `Olga line ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');

  const write = async (line: string, contact: string, name: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name, text: 'Hola' },
    });
    expect(sent.status()).toBe(202);
    return (await sent.json()).chat_id;
  };
  await write(waitLine, `+5491110${stamp}`, `Ana ${stamp}`);
  await write(waitLine, `+5491120${stamp}`, `Beto ${stamp}`);
  const olgas = await write(directLine, `+5491130${stamp}`, `Ciro ${stamp}`);
  await expect(agent.getByRole('list', { name: 'My chats' }).getByText(`Ciro ${stamp}`)).toBeVisible();
  expect((await agent.request.post(`/api/v1/chats/${olgas}/tags`, { data: { tag: `VIP${stamp}` } })).status()).toBe(204);

  await supervisor.goto('/supervisor/monitor');
  await hydrated(supervisor);
  const open = supervisor.getByRole('list', { name: 'Open chats' });
  const names = (...who: string[]) => who.map((w) => new RegExp(`${w} ${stamp}`));
  await supervisor.getByLabel('Line', { exact: true }).selectOption({ label: `Queue line ${stamp}` });
  await expect(open.locator('li.chat strong')).toHaveText(names('Ana', 'Beto'));
  await supervisor.getByLabel('Line', { exact: true }).selectOption('');
  await supervisor.getByLabel('Agent', { exact: true }).selectOption({ label: `Olga ${stamp}` });
  await expect(open.locator('li.chat strong')).toHaveText(names('Ciro'));
  await supervisor.getByLabel('Agent', { exact: true }).selectOption('');
  await supervisor.getByLabel('Tag', { exact: true }).selectOption({ label: `VIP${stamp}` });
  await expect(open.locator('li.chat strong')).toHaveText(names('Ciro'));
  await supervisor.getByLabel('Tag', { exact: true }).selectOption('');
  await supervisor.getByLabel('State', { exact: true }).selectOption({ label: 'Waiting' });
  await supervisor.getByLabel('Line', { exact: true }).selectOption({ label: `Queue line ${stamp}` });
  await expect(open.locator('li.chat strong')).toHaveText(names('Ana', 'Beto'));

  await supervisor.getByRole('checkbox', { name: `Choose Ana ${stamp}` }).check();
  await supervisor.getByRole('checkbox', { name: `Choose Beto ${stamp}` }).check();
  await supervisor.getByRole('button', { name: 'Resolve the chosen chats (2)' }).click();
  await expect(supervisor.getByText('No open chat is like that.')).toBeVisible();
  await supervisor.getByLabel('Line', { exact: true }).selectOption('');
  await supervisor.getByLabel('State', { exact: true }).selectOption('');
  await expect(open.getByText(`Ciro ${stamp}`)).toBeVisible();
  await expect(open.getByText(`Ana ${stamp}`)).toHaveCount(0);
});

test('a supervisor opens an agents chat from the monitor, reads it live, notes, takes it over, answers, hands it back and resolves it', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `pia${stamp}@example.com`;
  const agentName = `Pia ${stamp}`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: agentName, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Pia line ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const customer = `Dora ${stamp}`;
  const write = async (text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: `+5491140${stamp}`, name: customer, text },
    });
    expect(sent.status()).toBe(202);
  };
  await write('Mi pedido no llegó');
  const agentsList = agent.getByRole('list', { name: 'My chats' });
  await expect(agentsList.getByText(customer)).toBeVisible();

  await supervisor.goto('/supervisor/monitor');
  await hydrated(supervisor);
  await supervisor.getByRole('list', { name: 'Open chats' }).getByRole('link', { name: customer }).click();
  await expect(supervisor).toHaveURL(/\/supervisor\/chats\//);
  await expect(supervisor.getByRole('heading', { name: customer })).toBeVisible();
  await expect(supervisor.locator('.handled-by')).toHaveText(`Handled by: ${agentName}`);
  const messages = supervisor.getByRole('list', { name: 'Messages' });
  await expect(messages.getByText('Mi pedido no llegó')).toBeVisible();

  // Live: the customer's next message shows up without a reload.
  await write('¿Alguien me lee?');
  await expect(messages.getByText('¿Alguien me lee?')).toBeVisible();

  await supervisor.getByLabel('Private note (only colleagues read it)').fill('Cliente VIP, cuidar');
  await supervisor.getByRole('button', { name: 'Add note' }).click();
  await expect(messages.locator('li.direction-note .text')).toHaveText('Cliente VIP, cuidar');

  await supervisor.getByRole('button', { name: 'Take over' }).click();
  await expect(supervisor.locator('.handled-by')).toHaveText('You have this chat: the customer reads what you send.');
  await expect(agentsList.getByText(customer)).toHaveCount(0);
  await expect(supervisor.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await supervisor.getByLabel('Reply', { exact: true }).fill('Soy la supervisora: lo reviso ya mismo');
  await supervisor.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(messages.locator('li.direction-out .text')).toHaveText('Soy la supervisora: lo reviso ya mismo');
  await expect(supervisor.getByLabel('Reply', { exact: true })).toHaveValue('');

  await supervisor.getByLabel('Transfer to').selectOption({ label: agentName });
  await supervisor.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(supervisor.locator('.handled-by')).toHaveText(`Handled by: ${agentName}`);
  await expect(agentsList.getByText(customer)).toBeVisible();
  await expect(supervisor.getByRole('textbox', { name: 'Reply', exact: true })).toHaveCount(0);

  await supervisor.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(supervisor.locator('.conversation .state')).toHaveText('Resolved');
  await expect(messages.locator('li.event-resolved')).toHaveText(/^Resolved by /);
  await expect(supervisor.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(agentsList.getByText(customer)).toHaveCount(0);
});

test('the monitor and a chat read as they stood at a past moment, only to read', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext({ timezoneId: 'UTC' })).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Past ${stamp}` } })).json()).id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Then ${stamp}`, routing: { queue } } })).json()).id;
  const write = async (text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: `+54911${stamp}`, name: `Paz ${stamp}`, text },
    });
    expect(sent.status()).toBe(202);
    return (await sent.json()).chat_id as string;
  };
  const chat = await write(`Primero ${stamp}`);
  const started = (await (await api.get(`/api/v1/chats/${chat}/history`)).json())[0].occurred_at as string;
  await advance(api, 10 * 60);
  await write(`Segundo ${stamp}`);
  // Five minutes after the first message, in UTC (the browser's zone here), to the second.
  const then = new Date(Date.parse(started) + 5 * 60 * 1000).toISOString().slice(0, 19);

  await supervisor.goto(`/supervisor/chats/${chat}`);
  await hydrated(supervisor);
  const messages = supervisor.locator('.messages');
  await expect(messages).toContainText(`Segundo ${stamp}`);
  await expect(supervisor.getByRole('button', { name: 'Take over' })).toBeVisible();
  await supervisor.getByLabel('As it stood at').fill(then);
  await supervisor.getByLabel('As it stood at').dispatchEvent('change');
  await expect(supervisor.locator('.past-moment')).toContainText('As it stood at');
  await expect(messages).toContainText(`Primero ${stamp}`);
  await expect(messages).not.toContainText(`Segundo ${stamp}`);
  await expect(supervisor.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(supervisor.getByRole('button', { name: 'Resolve' })).toHaveCount(0);
  await supervisor.getByLabel('As it stood at').fill('');
  await supervisor.getByLabel('As it stood at').dispatchEvent('change');
  await expect(messages).toContainText(`Segundo ${stamp}`);
  await expect(supervisor.getByRole('button', { name: 'Take over' })).toBeVisible();

  // The monitor then: the chat was waiting, to be read and not resolved; its link keeps the moment.
  await supervisor.goto(`/supervisor/monitor?at=${then}`);
  await hydrated(supervisor);
  await expect(supervisor.locator('.past-moment')).toContainText('As it stood at');
  const open = supervisor.getByRole('list', { name: 'Open chats' }).locator(`li[data-id="${chat}"]`);
  await expect(open.getByRole('link', { name: `Paz ${stamp}` })).toHaveAttribute('href', `/supervisor/chats/${chat}?at=${then}`);
  await expect(open.getByRole('checkbox')).toHaveCount(0);
  const queues = supervisor.getByRole('table', { name: 'Queues now' });
  await expect(queues.getByRole('row', { name: new RegExp(`Past ${stamp}`) }).locator('.waiting')).toHaveText('1');
  // Before this queue existed: neither it nor the chat.
  await supervisor.getByLabel('As it stood at').fill('2000-01-01T00:00');
  await supervisor.getByLabel('As it stood at').dispatchEvent('change');
  await expect(queues.getByRole('row', { name: new RegExp(`Past ${stamp}`) })).toHaveCount(0);
  await expect(supervisor.locator(`li[data-id="${chat}"]`)).toHaveCount(0);
});
