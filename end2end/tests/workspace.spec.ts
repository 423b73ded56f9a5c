import { test, expect } from '@playwright/test';
import { signInAsSupervisor, signInAsAgent } from './session';

test('an agent works from one screen: chats open beside the inbox, tabs count live, unanswered messages show, tags and lines narrow the list, and two chats are resolved at once', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `nora${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Nora ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const reason = `Lunch ${stamp}`;
  expect((await api.post('/api/v1/pause-reasons', { data: { name: reason } })).status()).toBe(201);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const shop = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Help ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const help = (await (await api.post('/api/v1/lines', { data: { name: `Help desk ${stamp}`, routing: { queue } } })).json()).id;
  const write = async (line: string, contact: string, name: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name, text },
    });
    expect(sent.status()).toBe(202);
  };

  const agent = await (await browser.newContext()).newPage();
  const sockets: string[] = [];
  agent.on('websocket', (socket) => sockets.push(socket.url()));
  await signInAsAgent(agent, email, 'agent password');
  await expect(agent.getByText('Open a chat from the inbox.')).toBeVisible();
  await write(shop, `+54911${stamp}1`, 'Carla Gómez', 'Hola');
  await write(shop, `+54911${stamp}1`, 'Carla Gómez', '¿Está mi pedido?');
  await write(help, `+54911${stamp}2`, 'Luis Pérez', 'Necesito ayuda');

  const inbox = agent.getByRole('tablist', { name: 'Inbox' });
  const mine = agent.getByRole('list', { name: 'My chats' });
  const carla = mine.locator('li.chat').filter({ hasText: 'Carla Gómez' });
  await expect(carla.getByLabel('2 messages not answered')).toBeVisible();
  await expect(mine.locator('li.chat')).toHaveCount(2);
  await expect(mine.getByText(`Help desk ${stamp}`)).toBeVisible();
  await expect(inbox.getByRole('tab', { name: 'To answer 2' })).toBeVisible();

  // Opening a chat keeps the inbox on the screen: the same document, the chat beside the list.
  await agent.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  await carla.getByRole('link', { name: 'Carla Gómez' }).click();
  await expect(agent).toHaveURL(/\/agent\/chats\//);
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Carla Gómez');
  await expect(carla.getByRole('link', { name: 'Carla Gómez' })).toHaveAttribute('aria-current', 'page');
  await agent.getByLabel('Reply').fill('Sí, ya sale');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(carla.getByLabel(/messages not answered/)).toHaveCount(0);
  await expect(inbox.getByRole('tab', { name: 'To answer 1' })).toBeVisible();
  await inbox.getByRole('tab', { name: 'Answered 1' }).click();
  await expect(agent.getByRole('list', { name: 'Answered' }).locator('li.chat')).toHaveText([/Carla Gómez/]);
  await inbox.getByRole('tab', { name: /My chats/ }).click();
  expect(await agent.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  // Inbox, colleagues and the open chat follow the server over one live connection.
  expect(sockets.filter((url) => url.endsWith('/api/v1/ws'))).toHaveLength(1);

  // A tag and a line narrow the list.
  await agent.getByLabel('New tag').fill('Envíos');
  // A message arriving while the agent types redraws the chat, not what they are typing.
  await write(shop, `+54911${stamp}1`, 'Carla Gómez', 'Gracias');
  await expect(agent.getByRole('list', { name: 'Messages' }).getByText('Gracias')).toBeVisible();
  await expect(agent.getByLabel('New tag')).toHaveValue('Envíos');
  await expect(agent.getByLabel('New tag')).toBeFocused();
  await agent.getByRole('button', { name: 'Add tag' }).click();
  await expect(agent.getByLabel('New tag')).toHaveValue('');
  await expect(carla.getByRole('list', { name: 'Tags' })).toHaveText('Envíos');
  await agent.getByLabel('Tag', { exact: true }).selectOption({ label: 'Envíos' });
  await expect(mine.locator('li.chat')).toHaveText([/Carla Gómez/]);
  await agent.getByLabel('Tag', { exact: true }).selectOption('');
  await agent.getByLabel('Line', { exact: true }).selectOption({ label: `Help desk ${stamp}` });
  await expect(mine.locator('li.chat')).toHaveText([/Luis Pérez/]);
  await agent.getByLabel('Line', { exact: true }).selectOption('');

  // Paused, a new chat of Nora's queue waits there, in its own tab, live.
  await agent.getByLabel('Reason').selectOption({ label: reason });
  await agent.getByRole('button', { name: 'Pause' }).click();
  await write(help, `+54911${stamp}3`, 'Sara Ruiz', 'Hola, ¿hay alguien?');
  await expect(inbox.getByRole('tab', { name: 'In my queues 1' })).toBeVisible();
  await inbox.getByRole('tab', { name: 'In my queues 1' }).click();
  await expect(agent.getByRole('list', { name: 'In my queues' }).locator('li.chat')).toHaveText([/Sara Ruiz/]);
  await inbox.getByRole('tab', { name: /My chats/ }).click();

  // Two chats resolved at once.
  await mine.getByRole('checkbox', { name: 'Choose Carla Gómez' }).check();
  await mine.getByRole('checkbox', { name: 'Choose Luis Pérez' }).check();
  await agent.getByRole('button', { name: 'Resolve the chosen chats (2)' }).click();
  await expect(mine).toHaveCount(0);
  await expect(agent.getByText('No chats right now.')).toBeVisible();
  await expect(inbox.getByRole('tab', { name: 'My chats 0' })).toBeVisible();
  await expect(inbox.getByRole('tab', { name: 'In my queues 1' })).toBeVisible();
});

test('new messages are counted in the tab title, sound and notify once the agent allows it, but not for the chat the agent has open before their eyes', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `olga${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Olga ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const shop = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const write = async (contact: string, name: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${shop}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name, text },
    });
    expect(sent.status()).toBe(202);
  };

  const context = await browser.newContext();
  // What the page hands the browser to show and play, observed on its way (the browser's own
  // notifications and sound still happen).
  await context.addInitScript(() => {
    const seen = { notifications: [] as string[], tones: 0 };
    (window as unknown as { seen: typeof seen }).seen = seen;
    const Original = window.Notification;
    class Observed extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        seen.notifications.push(`${title}: ${options?.body ?? ''}`);
      }
    }
    Object.defineProperty(Observed, 'permission', { get: () => Original.permission });
    Object.defineProperty(Observed, 'requestPermission', { value: Original.requestPermission.bind(Original) });
    (window as unknown as { Notification: unknown }).Notification = Observed;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: [number?]) {
      seen.tones += 1;
      return start.apply(this, args);
    };
  });
  const seen = () => agent.evaluate(() => (window as unknown as { seen: { notifications: string[]; tones: number } }).seen);
  const agent = await context.newPage();
  await write(`+54911${stamp}1`, 'Carla Gómez', 'Hola');
  await signInAsAgent(agent, email, 'agent password');
  await expect(agent).toHaveTitle('(1) Ikono Chat');

  await context.grantPermissions(['notifications']);
  await agent.getByRole('button', { name: 'Notify me of new messages' }).click();
  await expect(agent.getByText('New messages are notified.')).toBeVisible();

  await write(`+54911${stamp}2`, 'Luis Pérez', '¿Me ayudan?');
  await expect.poll(async () => (await seen()).notifications).toEqual(['Luis Pérez: ¿Me ayudan?']);
  expect((await seen()).tones).toBeGreaterThan(0);
  await expect(agent).toHaveTitle('(2) Ikono Chat');

  // Carla's chat open and in view: her next message is shown, not announced.
  const mine = agent.getByRole('list', { name: 'My chats' });
  await mine.getByRole('link', { name: 'Carla Gómez' }).click();
  await write(`+54911${stamp}1`, 'Carla Gómez', 'Sigo acá');
  await expect(mine.locator('li.chat').filter({ hasText: 'Carla Gómez' }).getByLabel('2 messages not answered')).toBeVisible();
  await expect(agent).toHaveTitle('(3) Ikono Chat');
  await write(`+54911${stamp}2`, 'Luis Pérez', '¿Hola?');
  await expect.poll(async () => (await seen()).notifications).toEqual(['Luis Pérez: ¿Me ayudan?', 'Luis Pérez: ¿Hola?']);
});

test('two agents write to each other in their workspaces, live, apart from customers; the unread mark goes once read', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  for (const name of ['Ana', 'Ben']) {
    const created = await api.post('/api/v1/agents', { data: { name: `${name} ${stamp}`, email: `${name.toLowerCase()}${stamp}@example.com`, password: 'agent password' } });
    expect(created.status()).toBe(201);
  }
  const ana = await (await browser.newContext()).newPage();
  await signInAsAgent(ana, `ana${stamp}@example.com`, 'agent password');
  const ben = await (await browser.newContext()).newPage();
  await signInAsAgent(ben, `ben${stamp}@example.com`, 'agent password');

  await ana.getByRole('list', { name: 'Colleagues' }).getByRole('link', { name: `Ben ${stamp}` }).click();
  await expect(ana.getByRole('heading', { level: 1 })).toHaveText(`Ben ${stamp}`);
  await expect(ana.getByText('No messages yet: write the first.')).toBeVisible();
  await ana.getByLabel('Message to your colleague').fill('¿Me cubrís a las 3?');
  await ana.getByRole('button', { name: 'Send' }).click();
  const anasMessages = ana.getByRole('list', { name: 'Messages with your colleague' });
  await expect(anasMessages.locator('li')).toHaveText([/¿Me cubrís a las 3\?/]);
  await expect(ana.getByLabel('Message to your colleague')).toHaveValue('');

  const bensColleagues = ben.getByRole('list', { name: 'Colleagues' });
  const fromAna = bensColleagues.locator('li').filter({ hasText: `Ana ${stamp}` });
  await expect(fromAna.getByLabel('1 unread')).toBeVisible();
  await expect(fromAna).toContainText('¿Me cubrís a las 3?');
  // Not a customer's chat: the inbox has none.
  await expect(ben.getByText('No chats right now.')).toBeVisible();
  await fromAna.getByRole('link', { name: `Ana ${stamp}` }).click();
  await expect(ben.getByRole('list', { name: 'Messages with your colleague' }).locator('li')).toHaveText([/Ana .*¿Me cubrís a las 3\?/]);
  await expect(fromAna.getByLabel(/unread/)).toHaveCount(0);
  await ben.getByLabel('Message to your colleague').fill('Dale');
  await ben.getByRole('button', { name: 'Send' }).click();

  await expect(anasMessages.locator('li')).toHaveText([/¿Me cubrís a las 3\?/, /Ben .*Dale/]);
});

const PICTURE = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

test('an agent sends files from the reply: one picked, one dropped with a caption, and a pasted one taken off again', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `pia${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Pía ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const shop = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const sent = await api.post(`/api/v1/lines/${shop}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Rita Gómez', text: '¿Me mandás el ticket?' },
  });
  expect(sent.status()).toBe(202);
  await agent.getByRole('list', { name: 'My chats' }).getByRole('link', { name: 'Rita Gómez' }).click();
  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages).toContainText('¿Me mandás el ticket?');

  // Picked, sent without words.
  await agent.getByLabel('Attach a file (or drop or paste one here)').setInputFiles({ name: 'ticket.png', mimeType: 'image/png', buffer: PICTURE });
  await expect(agent.getByText('Attached: ticket.png')).toBeVisible();
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(messages.locator('img.media')).toHaveCount(1);
  await expect(agent.getByText(/Attached:/)).toHaveCount(0);

  // Dropped on the reply, sent with a caption.
  await agent.locator('.reply-form').evaluate((form) => {
    const data = new DataTransfer();
    data.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'condiciones.pdf', { type: 'application/pdf' }));
    form.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await expect(agent.getByText('Attached: condiciones.pdf')).toBeVisible();
  await agent.getByLabel('Reply').fill('Te paso las condiciones');
  await agent.getByRole('button', { name: 'Send' }).click();
  const withCaption = messages.locator('li').filter({ hasText: 'Te paso las condiciones' });
  await expect(withCaption.locator('a.media')).toBeVisible();

  // Pasted, then taken off: nothing goes.
  await agent.getByLabel('Reply').evaluate((input, bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'pegada.png', { type: 'image/png' }));
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, Array.from(PICTURE));
  await expect(agent.getByText('Attached: pegada.png')).toBeVisible();
  await agent.getByRole('button', { name: 'Remove' }).click();
  await expect(agent.getByText(/Attached:/)).toHaveCount(0);
  await agent.getByLabel('Reply').fill('Listo');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(messages.locator('li').filter({ hasText: 'Listo' })).toBeVisible();
  await expect(messages.locator('img.media')).toHaveCount(1);
});

test('an agent reads their day on their dashboard: chats pending and following, live, then what they resolved and how fast they first answered, every time in their zone; the keyboard alone walks the inbox', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `dora${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Dora ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const write = async (contact: string, name: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name, text },
    });
    expect(sent.status()).toBe(202);
  };

  const context = await browser.newContext({ timezoneId: 'Europe/Madrid' });
  const agent = await context.newPage();
  await signInAsAgent(agent, email, 'agent password');
  const day = agent.getByRole('region', { name: 'My day' });
  const figure = (name: string) => day.locator(`dd[data-figure="${name}"]`);
  await expect(figure('pending')).toHaveText('0');
  await expect(figure('first-response')).toHaveText('—');
  // The browser told the server its time zone, where the agent's day begins.
  await expect.poll(async () => (await context.cookies()).find((c) => c.name === 'ikono_tz')?.value)
    .toBe('Europe/Madrid');

  await write(`+54911${stamp}1`, 'Carla Gómez', 'Hola');
  await write(`+54911${stamp}2`, 'Luis Pérez', 'Buenas');
  await expect(figure('pending')).toHaveText('2');
  const mine = agent.getByRole('list', { name: 'My chats' });
  // j walks the inbox as drawn: both chats must be in it first.
  await expect(mine.locator('li.chat')).toHaveCount(2);

  // The keyboard alone: ? lists the shortcuts, j and k walk the inbox, / goes to the reply.
  await agent.keyboard.press('?');
  const shortcuts = agent.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(shortcuts.getByText('Next / previous chat of the inbox')).toBeVisible();
  await agent.keyboard.press('Escape');
  await expect(shortcuts).toHaveCount(0);
  await agent.keyboard.press('j');
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Carla Gómez');
  await agent.keyboard.press('j');
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Luis Pérez');
  await agent.keyboard.press('k');
  await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Carla Gómez');
  await agent.keyboard.press('/');
  await expect(agent.getByLabel('Reply')).toBeFocused();
  await agent.keyboard.type('¿En qué te ayudo?');
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(agent.getByRole('list', { name: 'Messages' }).getByText('¿En qué te ayudo?')).toBeVisible();
  // W9: when each message was written, in the agent's language and time zone — already so in the
  // page the server sends, before the browser writes it.
  const sentAt = agent.getByRole('list', { name: 'Messages' }).locator('li.bubble').last().locator('time');
  const moment = new Date((await sentAt.getAttribute('datetime'))!);
  const inMadrid = (lang: string) =>
    new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Madrid' }).format(moment);
  await expect(sentAt).toHaveText(inMadrid('en'));
  const served = await (await agent.request.get(agent.url() + '?lang=es')).text();
  expect(served).toContain(inMadrid('es'));
  await mine.getByRole('checkbox', { name: 'Choose Carla Gómez' }).check();
  await agent.getByRole('button', { name: 'Resolve the chosen chats (1)' }).click();
  await expect(mine.locator('li.chat')).toHaveText([/Luis Pérez/]);

  await agent.getByRole('link', { name: '← My chats' }).click();
  await expect(figure('resolved')).toHaveText('1');
  await expect(figure('pending')).toHaveText('1');
  await expect(figure('following')).toHaveText('0');
  await expect(figure('first-response')).toHaveText(/^(\d+ s|\d+ min \d\d s)$/);

  await agent.goto('/agent?lang=es');
  const spanish = agent.getByRole('region', { name: 'Mi día' });
  await expect(spanish.getByText('Resueltos hoy')).toBeVisible();
  await expect(spanish.locator('dd[data-figure="resolved"]')).toHaveText('1');
});

test('a long history and a long inbox come a page at a time: the latest 50 messages, then earlier ones on asking, nothing shown moving when a message comes; 100 chats, then the rest', async ({ browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `lena${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Lena ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  expect((await api.put(`/api/v1/agents/${agentId}/capacity`, { data: { capacity: 50 } })).status()).toBe(204);
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Support ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { queue } } })).json()).id;
  const write = async (contact: string, name: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name, text },
    });
    expect(sent.status()).toBe(202);
  };
  for (let i = 1; i <= 250; i++) await write(`+54911${stamp}0`, 'Ada Long', `Message ${i}`);
  for (let batch = 0; batch < 15; batch++) {
    await Promise.all(Array.from({ length: 10 }, (_, i) => write(`+54911${stamp}${100 + batch * 10 + i}`, `Client ${batch * 10 + i}`, 'Hola')));
  }

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const mine = agent.getByRole('list', { name: 'My chats' });
  // Lena holds 50 chats at once (Ada's, the first, among them); the other 101 wait in her queue.
  const inbox = agent.getByRole('tablist', { name: 'Inbox' });
  await expect(inbox.getByRole('tab', { name: 'My chats 50' })).toBeVisible();
  await inbox.getByRole('tab', { name: 'In my queues 101' }).click();
  const waiting = agent.getByRole('list', { name: 'In my queues' });
  await expect(waiting.locator('li.chat')).toHaveCount(100);
  await agent.getByRole('button', { name: 'Show more chats (1 more)' }).click();
  await expect(waiting.locator('li.chat')).toHaveCount(101);
  await inbox.getByRole('tab', { name: /My chats/ }).click();

  await mine.getByRole('link', { name: 'Ada Long' }).click();
  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages.locator('li.direction-in')).toHaveCount(50);
  await expect(messages.locator('li.direction-in .text').first()).toHaveText('Message 201');
  await expect(messages.locator('li.direction-in .text').last()).toHaveText('Message 250');
  // A new message comes below what is shown, and nothing shown moves (no layout jump).
  const first = messages.locator('li.direction-in').first();
  const before = (await first.boundingBox())!.y;
  await write(`+54911${stamp}0`, 'Ada Long', 'Message 251');
  await expect(messages.locator('li.direction-in .text').last()).toHaveText('Message 251');
  await expect(messages.locator('li.direction-in')).toHaveCount(51);
  await expect(first.locator('.text')).toHaveText('Message 201');
  expect((await first.boundingBox())!.y).toBe(before);
  // 200 more: the chat's 252 messages are Ada's 251 and the queue's words after her first.
  await agent.getByRole('button', { name: 'Show earlier messages' }).click();
  await expect(messages.locator('li.direction-in')).toHaveCount(250);
  await expect(messages.locator('li.direction-in .text').first()).toHaveText('Message 2');
  await agent.getByRole('button', { name: 'Show earlier messages' }).click();
  await expect(messages.locator('li.direction-in')).toHaveCount(251);
  await expect(messages.locator('li.direction-in .text').first()).toHaveText('Message 1');
  await expect(agent.getByRole('button', { name: 'Show earlier messages' })).toHaveCount(0);
});

test('an agent writes with an emoji from the reply and shares a place; a place that is no place is refused in place', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `ines${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Inés ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: 'Marta Sosa', text: '¿Dónde están?' },
  });
  expect(sent.status()).toBe(202);
  await agent.getByRole('list', { name: 'My chats' }).getByRole('link', { name: 'Marta Sosa' }).click();
  const messages = agent.getByRole('list', { name: 'Messages' });
  await expect(messages.getByText('¿Dónde están?')).toBeVisible();

  await agent.getByLabel('Reply').fill('Te esperamos ');
  await agent.getByRole('button', { name: '😊 Emoji' }).click();
  await agent.getByRole('group', { name: 'Emoji' }).getByRole('button', { name: '👍' }).click();
  await expect(agent.getByLabel('Reply')).toHaveValue('Te esperamos 👍');
  await expect(agent.getByLabel('Reply')).toBeFocused();
  await agent.getByRole('button', { name: 'Send' }).click();
  await expect(messages.locator('li.direction-out .text')).toHaveText(['Te esperamos 👍']);

  await agent.getByText('Share a location').click();
  await agent.getByLabel('Latitude').fill('north');
  await agent.getByLabel('Longitude').fill('-58.3816');
  await agent.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(agent.getByRole('alert')).toContainText('latitude: a number');
  await agent.getByLabel('Latitude').fill('-34.6037');
  await agent.getByLabel('Name of the place (optional)').fill('Obelisco');
  await agent.getByRole('button', { name: 'Share', exact: true }).click();
  const place = messages.locator('li.direction-out.kind-location');
  await expect(place.getByRole('link')).toHaveText('📍 Location: Obelisco');
  await expect(place.getByRole('link')).toHaveAttribute('href', /-34\.6037.*-58\.3816/);
});
