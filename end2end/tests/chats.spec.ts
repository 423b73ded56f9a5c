import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

test('a customer message reaches the online agent live; the monitor shows the agent and their chat', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `rita${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Rita ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const reason = `Break ${stamp}`;
  expect((await api.post('/api/v1/pause-reasons', { data: { name: reason } })).status()).toBe(201);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  await expect(agent.getByText('No chats right now.')).toBeVisible();

  await supervisor.goto('/supervisor/monitor');
  await hydrated(supervisor);
  const row = supervisor.getByRole('row', { name: new RegExp(`Rita ${stamp}`) });
  await expect(row.locator('.state')).toHaveText('Online');

  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Carla Gómez', text: '¿Tienen envío a Córdoba?' },
  });
  expect(sent.status()).toBe(202);

  const chats = agent.getByRole('list', { name: 'My chats' });
  await expect(chats.getByText('Carla Gómez')).toBeVisible();
  await expect(chats.getByText('¿Tienen envío a Córdoba?')).toBeVisible();
  await expect(chats.getByText('Customer waiting for you')).toBeVisible();
  await expect(row.locator('.chats')).toHaveText('1 / 3');
  await expect(supervisor.getByRole('list', { name: 'Open chats' }).getByText('Carla Gómez')).toBeVisible();

  await agent.getByLabel('Reason').selectOption({ label: reason });
  await agent.getByRole('button', { name: 'Pause' }).click();
  await expect(row.locator('.state')).toHaveText(`Paused: ${reason}`);

  await chats.getByRole('button', { name: 'Resolve' }).click();
  await expect(agent.getByText('No chats right now.')).toBeVisible();
  await expect(row.locator('.chats')).toHaveText('0 / 3');
});

test('an agent names a chat and tags it from the conversation; the list shows the name, the contact and the tags, finds it by words or number, and shows or hides what happened', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `teo${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Teo ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Carla Gómez', text: 'Quiero devolver un pedido' },
  });
  expect(sent.status()).toBe(202);
  const chats = agent.getByRole('list', { name: 'My chats' });
  await chats.getByRole('link', { name: 'Carla Gómez' }).click();
  await hydrated(agent);

  await agent.getByLabel("Name of this chat (empty: the contact's)").fill('Carla — devolución');
  await agent.getByRole('button', { name: 'Save name' }).click();
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Carla — devolución');
  await expect(agent.locator('.conversation .contact-name')).toHaveText('Carla Gómez');
  for (const tag of ['Refund', 'VIP']) {
    await agent.getByLabel('New tag').fill(tag);
    await agent.getByRole('button', { name: 'Add tag' }).click();
    await expect(agent.locator('.conversation').getByRole('list', { name: 'Tags' }).getByText(tag)).toBeVisible();
  }
  await agent.getByRole('button', { name: 'Remove tag Refund' }).click();
  await expect(agent.locator('.conversation').getByRole('list', { name: 'Tags' }).locator('li')).toHaveCount(1);

  // What happened besides the messages, in the conversation, and hidden with one switch (W14).
  const conversation = agent.getByRole('list', { name: 'Messages' });
  await expect(conversation.locator('li.event-assigned')).toHaveText(`Assigned to Teo ${stamp}`);
  await expect(conversation.locator('li.event-renamed')).toHaveText(`Teo ${stamp} named the chat “Carla — devolución”`);
  await expect(conversation.locator('li.event-tagged')).toHaveText([`Teo ${stamp} tagged the chat Refund`, `Teo ${stamp} tagged the chat VIP`]);
  await expect(conversation.locator('li.event-untagged')).toHaveText(`Teo ${stamp} took the tag Refund off`);
  const toggle = agent.getByLabel('Show what happened besides the messages');
  await toggle.uncheck();
  await expect(conversation.locator('li.event').first()).toBeHidden();
  await expect(conversation.locator('li.event:visible')).toHaveCount(0);
  await expect(conversation.getByText('Quiero devolver un pedido')).toBeVisible();
  await toggle.check();
  await expect(conversation.locator('li.event-renamed')).toBeVisible();

  await agent.goto('/agent');
  await hydrated(agent);
  const row = agent.getByRole('list', { name: 'My chats' }).locator('li.chat').filter({ hasText: 'Carla — devolución' });
  await expect(row.locator('.contact-name')).toHaveText('Carla Gómez');
  await expect(row.getByRole('list', { name: 'Tags' }).locator('li')).toHaveText(['VIP']);

  // Found by a message's words and by the number however written; not by words nobody wrote (W7).
  const search = agent.getByLabel('Search by name, number or message');
  await search.fill('DEVOLVER');
  await expect(row).toBeVisible();
  await search.fill(`${stamp}`.slice(-6));
  await expect(row).toBeVisible();
  await search.fill(`nadie escribió ${stamp}`);
  await expect(agent.getByRole('list', { name: 'My chats' }).locator('li.chat')).toHaveCount(0);
  await search.fill('');
  await expect(row).toBeVisible();
});

test('an agent transfers a chat with a note from the conversation; the colleague gets it live and reads the note, each of them in a colour of their own', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const people = [`ana${stamp}@example.com`, `ben${stamp}@example.com`];
  const anaId = (await (await api.post('/api/v1/agents', { data: { name: `Ana ${stamp}`, email: people[0], password: 'agent password' } })).json()).user_id;
  expect((await api.post('/api/v1/agents', { data: { name: `Ben ${stamp}`, email: people[1], password: 'agent password' } })).status()).toBe(201);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: anaId } } })).json()).id;
  const ana = await (await browser.newContext()).newPage();
  await signInAsAgent(ana, people[0], 'agent password');
  const ben = await (await browser.newContext()).newPage();
  await signInAsAgent(ben, people[1], 'agent password');
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Carla Gómez', text: 'Quiero hablar con facturación' },
  });
  expect(sent.status()).toBe(202);
  await ana.getByRole('list', { name: 'My chats' }).getByRole('link', { name: 'Carla Gómez' }).click();
  await hydrated(ana);

  await ana.getByLabel('Reply').fill('Te paso con facturación');
  await ana.getByRole('button', { name: 'Send' }).click();
  await expect(ana.getByRole('list', { name: 'Messages' }).getByText('Te paso con facturación')).toBeVisible();
  await ana.getByLabel('Transfer to').selectOption({ label: `Ben ${stamp}` });
  await ana.getByLabel('Note for whoever takes it (optional)').fill('Factura duplicada de marzo');
  await ana.getByRole('button', { name: 'Transfer' }).click();
  await expect(ana).toHaveURL(/\/agent$/);
  await expect(ana.getByText('No chats right now.')).toBeVisible();

  const bens = ben.getByRole('list', { name: 'My chats' });
  await expect(bens.getByRole('link', { name: 'Carla Gómez' })).toBeVisible();
  await bens.getByRole('link', { name: 'Carla Gómez' }).click();
  await hydrated(ben);
  const note = ben.getByRole('list', { name: 'Messages' }).locator('li.direction-note');
  await expect(note.locator('.text')).toHaveText('Factura duplicada de marzo');
  await expect(note.locator('.author')).toHaveText(`Note · Ana ${stamp}`);

  // Each participant in a colour of their own (W4): the customer, Ana, and Ben once he writes.
  await ben.getByLabel('Reply').fill('Hola, soy Ben');
  await ben.getByRole('button', { name: 'Send' }).click();
  const messages = ben.getByRole('list', { name: 'Messages' });
  const anaReply = messages.locator('li', { hasText: 'Te paso con facturación' });
  const benReply = messages.locator('li', { hasText: 'Hola, soy Ben' });
  const carlas = messages.locator('li', { hasText: 'Quiero hablar con facturación' });
  await expect(anaReply).toHaveClass(/who-agent-0/);
  await expect(benReply).toHaveClass(/who-agent-1/);
  await expect(carlas).toHaveClass(/who-customer/);
  const background = (item: typeof anaReply) => item.evaluate((li) => getComputedStyle(li).backgroundColor);
  const colours = [await background(carlas), await background(anaReply), await background(benReply), await background(note)];
  expect(new Set(colours).size, colours.join(' / ')).toBe(4);
});
