import { test, expect, Browser, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hydrated, signInAsSupervisor, signInAsAgent } from './session';

// Every page of both apps and the widget's room, with data in them, checked by axe in the light and
// the dark theme: no serious or critical violation of WCAG 2 A/AA. Each page is also photographed
// (theme × language, and 640 px wide) into end2end/screenshots/, which git ignores, for people to
// look at.

const SHOTS = path.resolve(__dirname, '../screenshots');

type Theme = 'light' | 'dark';

/** What axe finds serious or critical on the page as it stands, one line each. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** Opens `address` in `theme` and `lang` (the cookies a person's picks leave), checks it, and
 * photographs it. */
async function check(page: Page, name: string, address: string, theme: Theme, lang: 'en' | 'es', ready: (page: Page) => Promise<void>) {
  const origin = new URL(test.info().project.use.baseURL ?? '').origin;
  await page.context().addCookies([
    { name: 'ikono_theme', value: theme, url: origin },
    { name: 'ikono_lang', value: lang, url: origin },
  ]);
  await page.emulateMedia({ colorScheme: theme });
  // The widget's room takes its theme and language from the page that embeds it.
  const widget = address.startsWith('/widget/');
  await page.goto(widget ? `${address}?theme=${theme}&lang=${lang}` : address);
  await hydrated(page);
  await ready(page);
  if (widget) await expect(page.locator('.widget')).toHaveClass(new RegExp(`theme-${theme}`));
  else await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}-${lang}.png`), fullPage: true });
  if (lang === 'en') expect.soft(await violations(page), `${name} in the ${theme} theme`).toEqual([]);
  if (lang === 'en' && theme === 'light') {
    // Down to 640 px wide the page fits: nothing makes the whole page scroll sideways (a wide
    // table scrolls inside itself).
    await page.setViewportSize({ width: 640, height: 900 });
    const wide = await page.evaluate(() => {
      const over = Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > 641);
      return { width: document.documentElement.scrollWidth, over: over.slice(0, 5).map((e) => e.tagName + '.' + e.className) };
    });
    expect.soft(wide.width, `${name} at 640 px, wider: ${wide.over.join(', ')}`).toBe(640);
    await page.screenshot({ path: path.join(SHOTS, `${name}-640px.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
}

async function everyWay(page: Page, name: string, address: string, ready: (page: Page) => Promise<void>) {
  for (const theme of ['light', 'dark'] as Theme[]) {
    for (const lang of ['en', 'es'] as const) {
      await check(page, name, address, theme, lang, ready);
    }
  }
}

/** A company with someone in every page: an agent with a chat, a note and a colleague's message,
 * a queue, a line with a widget, a pause reason and a contact. */
async function aBusyCompany(browser: Browser) {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `alma${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Alma ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  expect((await api.post('/api/v1/pause-reasons', { data: { name: `Break ${stamp}` } })).status()).toBe(201);
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Sales ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Shop ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const widget = await (await api.put(`/api/v1/lines/${line}/widget`, { data: {} })).json();
  const contact = (await (await api.post('/api/v1/contacts', { data: { name: `Carla ${stamp}` } })).json()).id;
  const sent = await api.post(`/api/v1/lines/${line}/messages`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { contact_id: `+54911${stamp}`, name: `Carla ${stamp}`, text: 'Hola, ¿está mi pedido?' },
  });
  expect(sent.status()).toBe(202);
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const chats = await agent.request.get('/api/v1/chats');
  const chat = (await chats.json())[0].chat_id;
  expect((await agent.request.post(`/api/v1/chats/${chat}/messages`, { data: { text: 'Sí, sale hoy' } })).status()).toBe(201);
  expect((await agent.request.post(`/api/v1/chats/${chat}/notes`, { data: { text: 'Cliente frecuente' } })).status()).toBe(201);
  expect((await api.post(`/api/v1/colleagues/${agentId}/messages`, { data: { text: '¿Todo bien?' } })).status()).toBe(201);
  const colleagues: { user_id: string; last_text: string | null }[] = await (await agent.request.get('/api/v1/colleagues')).json();
  const admin = colleagues.find((c) => c.last_text === '¿Todo bien?')?.user_id;
  return { supervisor, agent, chat, contact, widgetKey: widget.key as string, admin };
}

test('every page of the console, the workspace and the widget passes the accessibility check in the light and the dark theme', async ({ browser }) => {
  test.setTimeout(180_000);
  const company = await aBusyCompany(browser);
  const { supervisor, agent } = company;
  const heading = async (page: Page) => {
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  };

  const consolePages: [string, string][] = [
    ['queues', '/supervisor/queues'],
    ['agents', '/supervisor/agents'],
    ['pause-reasons', '/supervisor/pause-reasons'],
    ['monitor', '/supervisor/monitor'],
    ['lines', '/supervisor/lines'],
    ['contacts', '/contacts'],
    ['contact-card', `/contacts/${company.contact}`],
    ['password', '/account/password'],
    ['whats-new', '/whats-new'],
    ['blacklist', '/supervisor/blacklist'],
    ['quick-replies', '/supervisor/quick-replies'],
    ['supervised-chat', `/supervisor/chats/${company.chat}`],
    ['chat-history', `/audit/chats/${company.chat}`],
    ['audit', '/audit'],
  ];
  for (const [name, address] of consolePages) await everyWay(supervisor, name, address, heading);
  // The reports, every category and chart table open.
  await everyWay(supervisor, 'reports', '/audit/reports', async (page) => {
    await expect(page.locator('.report-totals')).toBeVisible();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  });
  // The menu's editor, every part of it open.
  await everyWay(supervisor, 'menu-editor', '/supervisor/lines', async (page) => {
    await page.getByRole('button', { name: /^(Edit menu|Editar el menú)$/ }).first().click();
    await expect(page.locator('.menu-builder li.menu-option').first()).toBeVisible();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  });

  const listed = async (page: Page) => {
    await expect(page.getByRole('list', { name: /My chats|Mis chats/ }).locator('li.chat')).not.toHaveCount(0);
  };
  await everyWay(agent, 'workspace', '/agent', listed);
  await everyWay(agent, 'conversation', `/agent/chats/${company.chat}`, async (page) => {
    await expect(page.getByRole('list', { name: /Messages|Mensajes/ }).locator('li.bubble')).not.toHaveCount(0);
  });
  await everyWay(agent, 'new-conversation', '/agent/new', heading);
  await everyWay(agent, 'colleague-chat', `/agent/colleagues/${company.admin}`, async (page) => {
    await expect(page.getByText('¿Todo bien?').first()).toBeVisible();
  });

  const visitor = await (await browser.newContext()).newPage();
  await everyWay(visitor, 'sign-in', '/login/agent', heading);
  await everyWay(visitor, 'home', '/', heading);
  await everyWay(visitor, 'widget', `/widget/${company.widgetKey}`, async (page) => {
    await expect(page.locator('.widget-compose')).toBeVisible();
  });
});
