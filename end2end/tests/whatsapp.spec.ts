import { test, expect, APIRequestContext } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

const APP_SECRET = 'browser-test-app-secret-9c1d';
const TOKEN = 'EAAG-browser-test-token';
const PHONE_NUMBER_ID = '1122334455667';
const CUSTOMER = '34612345678';
const PICTURE = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

/** One of Meta's own notifications (the fixtures' source is their README), as a customer's. */
function fixture(name: string): any {
  const file = path.resolve(__dirname, '../../bridges/tests/fixtures/whatsapp_cloud', name);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function customersMessage(name: string, id: string, change: (message: any) => void): any {
  const notification = fixture(name);
  const value = notification.entry[0].changes[0].value;
  value.metadata.phone_number_id = PHONE_NUMBER_ID;
  value.contacts[0].wa_id = CUSTOMER;
  value.contacts[0].profile.name = 'Lucía Fernández';
  const message = value.messages[0];
  message.from = CUSTOMER;
  message.id = id;
  change(message);
  return notification;
}

/** A local Meta on the port the server was told: it takes our sends and serves customers' files. */
function localMeta(port: number, phoneNumberId = PHONE_NUMBER_ID) {
  const sent: any[] = [];
  const templates: any[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      const authorized = request.headers.authorization === `Bearer ${TOKEN}`;
      response.setHeader('content-type', 'application/json');
      if (!authorized) {
        response.writeHead(401).end(JSON.stringify({ error: { code: 190, message: 'Invalid OAuth access token' } }));
      } else if (request.method === 'POST' && url.pathname === `/${phoneNumberId}/messages`) {
        sent.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.out-${sent.length}` }] }));
      } else if (request.method === 'POST' && url.pathname === '/1234567890/message_templates') {
        const template = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        templates.push(template);
        // Meta's ids are unique: one per template ever made, whichever test's local Meta made it.
        response.end(JSON.stringify({ id: `tmpl-${Date.now()}-${templates.length}`, status: 'PENDING', category: template.category }));
      } else if (request.method === 'GET' && url.pathname === '/photo-1') {
        response.end(JSON.stringify({ url: `http://127.0.0.1:${port}/download/photo-1`, mime_type: 'image/png', file_size: PICTURE.length, id: 'photo-1' }));
      } else if (request.method === 'GET' && url.pathname === '/download/photo-1') {
        response.setHeader('content-type', 'image/png');
        response.end(PICTURE);
      } else {
        response.writeHead(404).end('{}');
      }
    });
  });
  return { sent, templates, server };
}

/** Posts Meta's notifications to a line's callback, signed as Meta signs them. */
function notifier(api: APIRequestContext, callback: string) {
  return async (notification: any) => {
    const body = JSON.stringify(notification);
    const signature = 'sha256=' + crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex');
    const answer = await api.post(callback, { headers: { 'x-hub-signature-256': signature, 'content-type': 'application/json' }, data: body });
    expect(answer.status()).toBe(200);
  };
}

test('a WhatsApp customer walks the menu with buttons, reaches an agent, sends a photo and a place; the agent answers quoting the photo, sees it read, and sends an approved template with its values', async ({ browser }) => {
  const stamp = Date.now();
  const meta = localMeta(Number(process.env.E2E_META_PORT));
  await new Promise<void>((resolve) => meta.server.listen(Number(process.env.E2E_META_PORT), '127.0.0.1', resolve));
  try {
    const supervisor = await (await browser.newContext()).newPage();
    await signInAsSupervisor(supervisor);
    const api = supervisor.request;
    const email = `ines${stamp}@example.com`;
    const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Inés ${stamp}`, email, password: 'agent password' } })).json()).user_id;
    const sales = (await (await api.post('/api/v1/queues', { data: { name: `Ventas ${stamp}` } })).json()).id;
    expect((await api.put(`/api/v1/queues/${sales}/members/${agentId}`, { data: {} })).status()).toBe(204);
    const menu = { menu: { header: 'Hola, ¿qué buscas?', options: [
      { label: 'Horarios', action: { kind: 'text', text: 'De 9 a 18' } },
      { label: 'Comprar', action: { kind: 'queue', queue: sales } },
    ] } };
    const line = (await (await api.post('/api/v1/lines', { data: { name: `WhatsApp ${stamp}`, routing: menu } })).json()).id;
    const linked = await api.put(`/api/v1/lines/${line}/whatsapp-cloud`, { data: {
      phone_number_id: PHONE_NUMBER_ID, business_account_id: '1234567890', access_token: TOKEN, app_secret: APP_SECRET,
    } });
    expect(linked.status()).toBe(200);
    const callback = (await linked.json()).callback_path;

    const notify = notifier(api, callback);

    const agent = await (await browser.newContext()).newPage();
    await signInAsAgent(agent, email, 'agent password');

    // The customer greets; the bot's menu reaches WhatsApp as two reply buttons.
    await notify(customersMessage('inbound_text.json', `wamid.hola-${stamp}`, (m) => { m.text.body = 'hola'; }));
    await expect.poll(() => meta.sent.length).toBeGreaterThan(0);
    expect(meta.sent[0].to).toBe(CUSTOMER);
    expect(meta.sent[0].interactive.type).toBe('button');
    expect(meta.sent[0].interactive.action.buttons.map((b: any) => b.reply)).toEqual([
      { id: '1', title: 'Horarios' }, { id: '2', title: 'Comprar' },
    ]);
    // The customer taps "Comprar": the chat goes to the queue, and to Inés.
    await notify(customersMessage('inbound_interactive_button_reply.json', `wamid.tap-${stamp}`, (m) => {
      m.interactive.button_reply = { id: '2', title: 'Comprar' };
    }));
    const chats = agent.getByRole('list', { name: 'My chats' });
    await expect(chats.getByText('Lucía Fernández')).toBeVisible();

    await notify(customersMessage('inbound_image.json', `wamid.photo-${stamp}`, (m) => {
      m.image = { mime_type: 'image/png', sha256: 'x', id: 'photo-1', caption: 'Este modelo' };
    }));
    await notify(customersMessage('inbound_location_named.json', `wamid.place-${stamp}`, (m) => {
      m.location = { latitude: -34.6037, longitude: -58.3816, name: 'Obelisco', address: 'Av. 9 de Julio s/n' };
    }));

    await chats.getByRole('link', { name: 'Lucía Fernández' }).click();
    await hydrated(agent);
    const messages = agent.getByRole('list', { name: 'Messages' });
    await expect(messages.getByText('Comprar', { exact: true })).toBeVisible();
    const photo = messages.locator('li.kind-image');
    await expect(photo.locator('img')).toHaveAttribute('src', /^\/media\/[0-9a-f]{64}\.png$/);
    await expect.poll(() => photo.locator('img').evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBe(1);
    await expect(photo.getByText('Este modelo')).toBeVisible();
    // The chat's files in one list (C3).
    const files = agent.getByRole('region', { name: 'Files in this chat' });
    await expect(files.getByRole('link')).toHaveCount(1);
    await expect(files.getByRole('link')).toHaveAttribute('href', /^\/media\/[0-9a-f]{64}\.png$/);
    const place = messages.locator('li.kind-location').getByRole('link');
    await expect(place).toHaveText('📍 Location: Obelisco, Av. 9 de Julio s/n');
    await expect(place).toHaveAttribute('href', /^https:\/\/www\.openstreetmap\.org\/\?mlat=-34\.6037&mlon=-58\.3816/);

    // Inés answers quoting the photo.
    await photo.getByRole('button', { name: 'Quote' }).click();
    await expect(agent.locator('.reply-form .quoting')).toContainText('Este modelo');
    await agent.getByLabel('Reply').fill('Sí, lo tenemos en azul');
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => meta.sent.find((m) => m.text?.body === 'Sí, lo tenemos en azul')).toBeTruthy();
    const answer = meta.sent.find((m) => m.text?.body === 'Sí, lo tenemos en azul');
    expect(answer.context).toEqual({ message_id: `wamid.photo-${stamp}` });
    const mine = messages.locator('li.direction-out').filter({ hasText: 'Sí, lo tenemos en azul' });
    await expect(mine.locator('.quote')).toHaveText('Este modelo');

    // WhatsApp reports it read: the mark shows on Inés's message.
    const read = fixture('status_read.json');
    const status = read.entry[0].changes[0].value;
    status.metadata.phone_number_id = PHONE_NUMBER_ID;
    status.statuses[0].id = `wamid.out-${meta.sent.indexOf(answer) + 1}`;
    status.statuses[0].recipient_id = CUSTOMER;
    await notify(read);
    await expect(mine.locator('.status')).toHaveText('Read');

    // An approved template is offered beside the reply, its variables filled by Inés (G3).
    const name = `seguimiento_${stamp}`;
    const submitted = await api.post('/api/v1/templates', { data: {
      line_id: line, name, language: 'es', category: 'utility',
      body: 'Hola {{1}}, tu pedido {{2}} está listo.', examples: ['Ana', 'A-12'],
    } });
    expect(submitted.status()).toBe(201);
    const approved = fixture('template_status_approved_webhook.json');
    approved.entry[0].changes[0].value.message_template_id = (await submitted.json()).provider_id;
    await notify(approved);
    // The supervisor reads Meta's decision on the template where quick replies are administered.
    await supervisor.goto('/supervisor/quick-replies');
    await hydrated(supervisor);
    const row = supervisor.getByRole('table', { name: 'Templates' }).getByRole('row', { name: new RegExp(name) });
    await expect(row.locator('.template-state')).toHaveText('APPROVED');
    await agent.reload();
    await hydrated(agent);
    const offered = agent.getByRole('region', { name: 'Templates' }).locator(`form[data-template="${name}"]`);
    await expect(offered.locator('.template-body')).toHaveText('Hola {{1}}, tu pedido {{2}} está listo.');
    await offered.getByLabel('Value {{1}}').fill('Lucía');
    await offered.getByLabel('Value {{2}}').fill('B-7');
    await offered.getByRole('button', { name: 'Send template' }).click();
    await expect.poll(() => meta.sent.find((m) => m.type === 'template')).toBeTruthy();
    const sentTemplate = meta.sent.find((m) => m.type === 'template');
    expect(sentTemplate.template.name).toBe(name);
    expect(sentTemplate.template.components[0].parameters).toEqual([
      { type: 'text', text: 'Lucía' }, { type: 'text', text: 'B-7' },
    ]);
    await expect(messages.locator('li.kind-template')).toContainText('Hola Lucía, tu pedido B-7 está listo.');
  } finally {
    meta.server.close();
  }
});

test('a supervisor links a WhatsApp number to a line in the console, pastes what Meta asks, sends a test and unlinks it', async ({ browser }) => {
  const stamp = Date.now();
  const meta = localMeta(Number(process.env.E2E_META_PORT));
  await new Promise<void>((resolve) => meta.server.listen(Number(process.env.E2E_META_PORT), '127.0.0.1', resolve));
  try {
    const supervisor = await (await browser.newContext()).newPage();
    await signInAsSupervisor(supervisor);
    const api = supervisor.request;
    const queue = (await (await api.post('/api/v1/queues', { data: { name: `Soporte ${stamp}` } })).json()).id;
    const name = `WhatsApp Soporte ${stamp}`;
    const line = (await (await api.post('/api/v1/lines', { data: { name, routing: { queue } } })).json()).id;

    await supervisor.goto('/supervisor/lines');
    await hydrated(supervisor);
    const row = supervisor.getByRole('table', { name: 'Lines' }).locator('tr', { hasText: name });
    await row.getByRole('button', { name: 'Link WhatsApp' }).click();
    const linker = supervisor.getByRole('region', { name: `Link a WhatsApp number to ${name}` });
    await linker.getByLabel('Phone number id').fill(PHONE_NUMBER_ID);
    await linker.getByLabel('WhatsApp business account id').fill('1234567890');
    await linker.getByLabel('Access token').fill(TOKEN);
    await linker.getByLabel('App secret').fill(APP_SECRET);
    await linker.getByRole('button', { name: 'Link', exact: true }).click();
    const linked = linker.getByRole('status');
    await expect(linked.locator('.callback-url')).toHaveText(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/v1/webhooks/whatsapp-cloud/${line}$`));
    const verifyToken = (await linked.locator('.verify-token').textContent()) ?? '';
    expect(verifyToken).toMatch(/^[0-9a-f]{32}$/);
    // The token is shown this once: the line's row shows only the token's end.
    await expect(row.locator('.whatsapp-number')).toHaveText(PHONE_NUMBER_ID);
    await expect(row).toContainText(`token …${TOKEN.slice(-4)}`);
    await expect(row).not.toContainText(TOKEN);
    await expect(row.locator('.last-notification')).toHaveText('Last notification: never');

    // Meta's handshake with what was pasted; then a notification reaches the line.
    const callback = `/api/v1/webhooks/whatsapp-cloud/${line}`;
    const handshake = await api.get(`${callback}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`);
    expect(handshake.status()).toBe(200);
    expect(await handshake.text()).toBe('1158201444');
    const body = JSON.stringify(customersMessage('inbound_text.json', `wamid.console-${stamp}`, () => {}));
    const signature = 'sha256=' + crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex');
    expect((await api.post(callback, { headers: { 'x-hub-signature-256': signature, 'content-type': 'application/json' }, data: body })).status()).toBe(200);
    await supervisor.reload();
    await hydrated(supervisor);
    await expect(row.locator('.last-notification')).toHaveText(/^Last notification: \d{4}-\d{2}-\d{2}T/);

    // "Send a test": Meta's hello_world template from the line's number.
    await row.getByLabel('Test number').fill('+34 612 34 56 78');
    await row.getByRole('button', { name: 'Send a test' }).click();
    await expect(row.getByRole('status')).toHaveText(/^WhatsApp took the test message: wamid\.out-\d+$/);
    const test = meta.sent.find((m) => m.type === 'template' && m.to === CUSTOMER);
    expect(test.template).toEqual({ name: 'hello_world', language: { policy: 'deterministic', code: 'en_US' } });

    // A template submitted to WhatsApp through the line from the templates' page, refused first
    // for its name, then found by its words and narrowed by its category.
    await supervisor.goto('/supervisor/quick-replies');
    await hydrated(supervisor);
    await supervisor.locator('summary', { hasText: 'Submit a template to WhatsApp' }).click();
    await supervisor.getByLabel('Through the line').selectOption({ label: name });
    await supervisor.getByLabel('Template name (a-z, 0-9, _)').fill('Cita Mañana');
    await supervisor.getByLabel('Template category').selectOption({ label: 'Utility' });
    await supervisor.getByLabel('Text ({{1}}, {{2}}… for values)').fill('Hola {{1}}, tu cita es mañana.');
    await supervisor.getByLabel('An example of each value, one per line').fill('Ana');
    await supervisor.getByLabel(/Every line of the company may send it/).uncheck();
    await supervisor.getByRole('button', { name: 'Submit to WhatsApp' }).click();
    await expect(supervisor.locator('.new-template [role="alert"]')).toContainText('name');
    await supervisor.getByLabel('Template name (a-z, 0-9, _)').fill(`cita_${stamp}`);
    await supervisor.getByRole('button', { name: 'Submit to WhatsApp' }).click();
    await expect(supervisor.getByText('Submitted: WhatsApp reviews it and its decision shows here.')).toBeVisible();
    expect(meta.templates.find((t) => t.name === `cita_${stamp}`)?.category).toBe('UTILITY');
    const templates = supervisor.getByRole('table', { name: 'Templates' });
    await supervisor.getByLabel('Find templates by name or text').fill(`mañana cita_${stamp}`);
    await expect(templates.locator('tbody tr')).toHaveCount(1);
    await expect(templates.locator('tbody tr .template-state')).toHaveText('PENDING');
    await expect(templates.locator('tbody tr')).toContainText(`Only ${name}`);
    await supervisor.getByLabel('Category of templates').selectOption({ label: 'Marketing' });
    await expect(supervisor.getByText('No template is like that.')).toBeVisible();
    await supervisor.goto('/supervisor/lines');
    await hydrated(supervisor);

    // Unlinked, the line is an API line again and Meta's handshake finds no callback.
    await row.getByRole('button', { name: 'Unlink' }).click();
    await expect(row.getByRole('button', { name: 'Link WhatsApp' })).toBeVisible();
    const gone = await api.get(`${callback}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1`);
    expect(gone.status()).toBe(404);
  } finally {
    meta.server.close();
  }
});

test('an agent starts a conversation from the directory: adds the customer and a second number, picks the number and the line, and sends an approved template', async ({ browser }) => {
  const stamp = Date.now();
  const phoneNumberId = '1122334455888';
  const meta = localMeta(Number(process.env.E2E_META_PORT), phoneNumberId);
  await new Promise<void>((resolve) => meta.server.listen(Number(process.env.E2E_META_PORT), '127.0.0.1', resolve));
  try {
    const supervisor = await (await browser.newContext()).newPage();
    await signInAsSupervisor(supervisor);
    const api = supervisor.request;
    const email = `teo${stamp}@example.com`;
    const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Teo ${stamp}`, email, password: 'agent password' } })).json()).user_id;
    const line = (await (await api.post('/api/v1/lines', { data: { name: `WhatsApp start ${stamp}`, routing: { agent: agentId } } })).json()).id;
    const linked = await api.put(`/api/v1/lines/${line}/whatsapp-cloud`, { data: {
      phone_number_id: phoneNumberId, business_account_id: '1234567890', access_token: TOKEN, app_secret: APP_SECRET,
    } });
    expect(linked.status()).toBe(200);
    const callback = (await linked.json()).callback_path;
    const name = `cita_${stamp}`;
    const submitted = await api.post('/api/v1/templates', { data: {
      line_id: line, name, language: 'es', category: 'utility',
      body: 'Hola {{1}}, tu turno es mañana.', examples: ['Ana'],
    } });
    expect(submitted.status()).toBe(201);
    const approved = fixture('template_status_approved_webhook.json');
    approved.entry[0].changes[0].value.message_template_id = (await submitted.json()).provider_id;
    const body = JSON.stringify(approved);
    const signature = 'sha256=' + crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex');
    expect((await api.post(callback, { headers: { 'x-hub-signature-256': signature, 'content-type': 'application/json' }, data: body })).status()).toBe(200);

    const agent = await (await browser.newContext()).newPage();
    await signInAsAgent(agent, email, 'agent password');
    await agent.getByRole('link', { name: 'New conversation' }).click();
    await expect(agent.getByRole('heading', { level: 1 })).toHaveText('New conversation');
    await agent.getByLabel('Find the customer (name, number, e-mail)').fill(`Marta ${stamp}`);
    await expect(agent.getByText('Nobody found.')).toBeVisible();
    await agent.getByText('Or add a new customer').click();
    await agent.getByLabel('Name', { exact: true }).fill(`Marta ${stamp}`);
    await agent.getByLabel('WhatsApp number', { exact: true }).fill('+54 9 11 5555 0123');
    await agent.getByRole('button', { name: 'Add customer' }).click();
    const found = agent.getByRole('list', { name: 'Find the customer (name, number, e-mail)' });
    await expect(found.getByRole('button', { name: 'Write to +5491155550123' })).toBeVisible();
    await found.getByLabel(`WhatsApp number (Marta ${stamp})`).fill('+54 9 11 5555 0456');
    await found.getByRole('button', { name: 'Add this number' }).click();
    await expect(found.getByRole('button', { name: 'Write to +5491155550456' })).toBeVisible();

    await found.getByRole('button', { name: 'Write to +5491155550456' }).click();
    await expect(agent.locator('.recipient')).toContainText(`Marta ${stamp}`);
    await agent.getByLabel('Write from').selectOption({ label: `WhatsApp start ${stamp}` });
    await agent.getByLabel('Approved template').selectOption({ label: `${name} · es` });
    await expect(agent.locator('.start-form .template-body')).toHaveText('Hola {{1}}, tu turno es mañana.');
    await agent.getByLabel('Value {{1}}').fill('Marta');
    await agent.getByRole('button', { name: 'Start conversation' }).click();

    await expect(agent).toHaveURL(/\/agent\/chats\//);
    await expect(agent.getByRole('heading', { level: 1 })).toHaveText(`Marta ${stamp}`);
    await expect(agent.getByRole('list', { name: 'Messages' }).locator('li.kind-template')).toContainText('Hola Marta, tu turno es mañana.');
    await expect.poll(() => meta.sent.find((m) => m.type === 'template')?.to).toBe('5491155550456');
    expect(meta.sent.find((m) => m.type === 'template').template.components[0].parameters).toEqual([{ type: 'text', text: 'Marta' }]);
  } finally {
    meta.server.close();
  }
});

test('a line whose token WhatsApp refuses warns the supervisor live on every page and says since when and why, until it sends again', async ({ browser }) => {
  const stamp = Date.now();
  const meta = localMeta(Number(process.env.E2E_META_PORT));
  await new Promise<void>((resolve) => meta.server.listen(Number(process.env.E2E_META_PORT), '127.0.0.1', resolve));
  try {
    const supervisor = await (await browser.newContext()).newPage();
    await signInAsSupervisor(supervisor);
    const api = supervisor.request;
    const email = `rita${stamp}@example.com`;
    const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Rita ${stamp}`, email, password: 'agent password' } })).json()).user_id;
    const lineName = `Expired ${stamp}`;
    const line = (await (await api.post('/api/v1/lines', { data: { name: lineName, routing: { agent: agentId } } })).json()).id;
    const link = (token: string) => api.put(`/api/v1/lines/${line}/whatsapp-cloud`, { data: {
      phone_number_id: PHONE_NUMBER_ID, business_account_id: '1234567890', access_token: token, app_secret: APP_SECRET,
    } });
    const linked = await link('EAAG-an-expired-token');
    expect(linked.status()).toBe(200);
    const notify = notifier(api, (await linked.json()).callback_path);
    const agent = await (await browser.newContext()).newPage();
    await signInAsAgent(agent, email, 'agent password');
    await notify(customersMessage('inbound_text.json', `wamid.expired-${stamp}`, (m) => { m.text.body = 'hola'; }));
    await expect(agent.getByRole('list', { name: 'My chats' }).getByText('Lucía Fernández')).toBeVisible();
    const chat = (await (await agent.request.get('/api/v1/chats')).json())[0].chat_id;

    await supervisor.goto('/supervisor/monitor');
    await hydrated(supervisor);
    const warning = supervisor.locator('.line-trouble');
    await expect(warning).toHaveCount(0);
    expect((await agent.request.post(`/api/v1/chats/${chat}/messages`, { data: { text: '¿En qué te ayudo?' } })).status()).toBe(201);
    await expect(warning).toContainText(`${lineName} cannot send — its customers get nothing: 190: Invalid OAuth access token`);

    await warning.getByRole('link', { name: 'See the line' }).click();
    await hydrated(supervisor);
    const row = supervisor.getByRole('row', { name: new RegExp(lineName) });
    await expect(row.locator('.cannot-send')).toContainText('Cannot send since');
    await expect(row.locator('.cannot-send')).toContainText('190: Invalid OAuth access token');

    // Linked again with a token Meta takes: the next message goes out and the warning goes.
    expect((await link(TOKEN)).status()).toBe(200);
    expect((await agent.request.post(`/api/v1/chats/${chat}/messages`, { data: { text: '¿Sigues ahí?' } })).status()).toBe(201);
    await expect.poll(() => meta.sent.find((m) => m.text?.body === '¿Sigues ahí?')).toBeTruthy();
    await expect(warning).toHaveCount(0);
    await expect(row.locator('.cannot-send')).toHaveCount(0);
  } finally {
    meta.server.close();
  }
});
