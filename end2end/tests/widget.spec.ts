import { test, expect, Page } from '@playwright/test';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

/** A plain web site on its own port (another origin) whose page embeds the widget — and whose
 * own CSS tries its worst on buttons and text. */
async function websiteEmbedding(widgetScript: string): Promise<{ url: string; close: () => void }> {
  const page = `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Tienda</title>
<style>* { color: red !important; font-size: 40px !important; } button { display: none !important; }</style>
</head><body><h1>Tienda de ejemplo</h1>${widgetScript}</body></html>`;
  const server = http.createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

function menu(sales: string) {
  return {
    menu: {
      header: 'Welcome to the shop',
      options: [
        { label: 'Help', action: { kind: 'submenu', header: 'Help with', options: [
          { label: 'Orders', action: { kind: 'submenu', header: 'Orders', options: [
            { label: 'Delivery times', action: { kind: 'text', text: 'We deliver in 48 hours' } },
          ] } },
        ] } },
        { label: 'Buy', action: { kind: 'queue', queue: sales, message: 'A seller will be with you' } },
      ],
    },
  };
}

async function say(room: ReturnType<Page['frameLocator']>, text: string) {
  await room.getByLabel('Mensaje').fill(text);
  await room.getByRole('button', { name: 'Enviar' }).click();
}

test('a visitor on another site walks the menu in the widget, reaches an agent and sees the answer live, then its edit and its deletion, but never a private note of the agent', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `rita${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Rita ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const sales = (await (await api.post('/api/v1/queues', { data: { name: `Sales ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${sales}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Tienda ${stamp}`, routing: menu(sales) } })).json()).id;
  const widget = await (await api.put(`/api/v1/lines/${line}/widget`, { data: {} })).json();
  expect(widget.snippet).toContain('/widget.js');

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');

  const origin = new URL(supervisor.url()).origin;
  const site = await websiteEmbedding(`<script src="${origin}/widget.js" data-line="${widget.key}" data-theme="dark" async></script>`);
  try {
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto(site.url);
    const launcher = visitor.getByRole('button', { name: 'Abrir el chat' });
    await expect(launcher).toBeVisible();
    await launcher.click();
    const room = visitor.frameLocator('iframe[title="Chat"]');
    await expect(room.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(room.locator('.widget')).toHaveClass(/theme-dark/);
    await expect(room.getByText('Escríbenos: te respondemos aquí.')).toBeVisible();
    const conversation = room.getByRole('list', { name: 'Conversación' });

    // Typed answers, and taps on the buttons under the bot's last message.
    const walk: [string, string, string][] = [
      ['type', 'hola', 'Welcome to the shop\n1. Help\n2. Buy'],
      ['tap', 'Help', 'Help with\n1. Orders\n0. Back'],
      ['tap', 'Orders', 'Orders\n1. Delivery times\n0. Back'],
      ['type', '1', 'We deliver in 48 hours'],
      ['type', '1', 'Welcome to the shop\n1. Help\n2. Buy'],
      ['type', '1', 'Help with\n1. Orders\n0. Back'],
      ['tap', 'Back', 'Welcome to the shop\n1. Help\n2. Buy'],
      ['type', '2', 'A seller will be with you'],
    ];
    for (const [how, text, answer] of walk) {
      const before = await conversation.locator('li.from-bot').count();
      if (how === 'tap') await conversation.getByRole('button', { name: text, exact: true }).click();
      else await say(room, text);
      await expect(conversation.locator('li.from-bot')).not.toHaveCount(before);
      await expect(conversation.locator('li.from-bot .text').filter({ hasText: answer }).last()).toBeVisible();
    }

    const chats = agent.getByRole('list', { name: 'My chats' });
    await expect(chats.getByText(/^Visitor /)).toBeVisible();
    await chats.getByRole('link', { name: /^Visitor / }).click();
    await hydrated(agent);
    const messages = agent.getByRole('list', { name: 'Messages' });
    await expect(messages.getByText('We deliver in 48 hours')).toBeVisible();
    await agent.getByLabel('Reply').fill(`Hola, soy Rita ${stamp}`);
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect(messages.getByText(`Hola, soy Rita ${stamp}`)).toBeVisible();

    await expect(conversation.locator('li.from-agent').getByText(`Hola, soy Rita ${stamp}`)).toBeVisible();

    // A private note (G7): Rita reads it in her page; the visitor, who sees her next reply, never does.
    await agent.getByLabel('Private note (only colleagues read it)').fill(`Nota ${stamp}: cliente VIP`);
    await agent.getByRole('button', { name: 'Add note' }).click();
    await expect(messages.locator('li.direction-note .text')).toHaveText(`Nota ${stamp}: cliente VIP`);
    await expect(messages.locator('li.direction-note .author')).toHaveText(`Note · Rita ${stamp}`);
    await agent.getByLabel('Reply').fill('¿Algo más?');
    await agent.getByRole('button', { name: 'Send' }).click();
    await expect(conversation.locator('li.from-agent').getByText('¿Algo más?')).toBeVisible();
    await expect(conversation.getByText(`Nota ${stamp}: cliente VIP`)).toHaveCount(0);

    // G18: Rita edits her reply, then deletes it; the visitor sees both live, Rita keeps both versions.
    const reply = messages.locator('li.direction-out').filter({ hasText: '¿Algo más?' });
    await reply.getByRole('button', { name: 'Edit' }).click();
    await expect(reply.getByText('Changed here only')).toHaveCount(0);
    await reply.getByLabel('New words').fill('¿Te ayudo con algo más?');
    // A message arriving meanwhile redraws the chat: the form stays open with the words written.
    await say(room, 'sigo aquí');
    await expect(messages.getByText('sigo aquí')).toBeVisible();
    await expect(agent.getByLabel('New words')).toHaveValue('¿Te ayudo con algo más?');
    await agent.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Message changed' })).toBeVisible();
    const edited = messages.locator('li.direction-out').filter({ hasText: '¿Te ayudo con algo más?' });
    await expect(edited.locator('.text')).toHaveText('¿Te ayudo con algo más?');
    await edited.getByText('Edited').click();
    await expect(edited.locator('.earlier del')).toHaveText('¿Algo más?');
    const visitorSees = conversation.locator('li.from-agent').filter({ hasText: '¿Te ayudo con algo más?' });
    await expect(visitorSees.locator('.edited')).toHaveText('editado');
    await expect(conversation.getByText('¿Algo más?', { exact: true })).toHaveCount(0);
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(agent.getByRole('status').filter({ hasText: 'Message deleted' })).toBeVisible();
    await expect(edited.locator('.deleted-mark')).toHaveText('Deleted');
    await expect(edited).toHaveClass(/deleted/);
    await expect(edited.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    await expect(conversation.getByText('Este mensaje se eliminó.')).toBeVisible();
    await expect(conversation.getByText('¿Te ayudo con algo más?')).toHaveCount(0);

    const picture = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    await room.locator('input[type="file"]').setInputFiles({ name: 'foto.png', mimeType: 'image/png', buffer: picture });
    // The visitor's browser fetches our file with their token and shows it from memory; the
    // agent's, with their session. Both really load the picture.
    const shown = conversation.locator('li.from-visitor img');
    await expect(shown).toHaveAttribute('data-media', /^\/media\/[0-9a-f]{64}\.png$/);
    await expect(shown).toHaveAttribute('src', /^blob:/);
    const loaded = (img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0);
    await expect.poll(() => shown.evaluate(loaded)).toBe(1);
    await expect(messages.locator('img')).toBeVisible();
    await expect.poll(() => messages.locator('img').evaluate(loaded)).toBe(1);
    await room.locator('input[type="file"]').setInputFiles({
      name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 37),
    });
    await expect(room.getByRole('alert')).toHaveText('Se pueden enviar archivos de hasta 10 MB.');

    await visitor.reload();
    await visitor.getByRole('button', { name: 'Abrir el chat' }).click();
    await expect(room.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(conversation.getByText(`Hola, soy Rita ${stamp}`)).toBeVisible();
    await expect(conversation.getByText('hola', { exact: true })).toBeVisible();
  } finally {
    site.close();
  }
});
