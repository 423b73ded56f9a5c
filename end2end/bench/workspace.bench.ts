import { test, expect, APIRequestContext, Browser, Page } from '@playwright/test';
import { signInAsSupervisor, signInAsAgent } from '../tests/session';

// An agent's workspace with a heavy day — a chat of 5,000 messages open, 1,000 chats in the inbox
// (50 theirs, 950 waiting in their queue) — against the same workspace with a light one — a chat
// of 10 messages, nothing else — in the same run: the time to first show the open chat (median of
// 5 loads) and from a customer's message accepted to it on the screen (p50 and p99 of 50).
// Goals (issue 19): first load under 1 s, message to screen under 100 ms at p99.

type Seeded = { agent: Page; chat: string; key: string; line: string; contact: string };

async function seed(browser: Browser, api: APIRequestContext, name: string, messages: number, others: number): Promise<Seeded> {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const email = `${name.toLowerCase()}${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `${name} ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  expect((await api.put(`/api/v1/agents/${agentId}/capacity`, { data: { capacity: 50 } })).status()).toBe(204);
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `${name} queue ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `${name} line ${stamp}`, routing: { queue } } })).json()).id;
  const write = async (contact: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: contact, name: contact, text },
    });
    expect(sent.status()).toBe(202);
  };
  const contact = `+5491${stamp.slice(-9)}`;
  for (let i = 1; i <= messages; i++) await write(contact, `Earlier message ${i}`);
  for (let batch = 0; batch * 25 < others; batch++) {
    const some = Math.min(25, others - batch * 25);
    await Promise.all(Array.from({ length: some }, (_, i) => write(`${contact}-${batch * 25 + i}`, 'Hola')));
  }
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  let chat = '';
  await expect.poll(async () => {
    const mine: { chat_id: string; contact_id: string }[] = await (await agent.request.get('/api/v1/chats')).json();
    chat = mine.find((c) => c.contact_id === contact)?.chat_id ?? '';
    return chat;
  }, { timeout: 120_000 }).not.toBe('');
  return { agent, chat, key, line, contact };
}

/** Milliseconds from asking for the chat's page to its last message on the screen. */
async function firstLoad(seeded: Seeded, last: string): Promise<number> {
  const page = await seeded.agent.context().newPage();
  const started = Date.now();
  await page.goto(`/agent/chats/${seeded.chat}`);
  await expect(page.getByRole('list', { name: 'Messages' }).locator('li.bubble .text').getByText(last, { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const took = Date.now() - started;
  await page.close();
  return took;
}

/** Milliseconds from a customer's message sent (by the page itself, so one clock) to it on the
 * screen of the chat open in `page`. */
async function messageToScreen(page: Page, seeded: Seeded, text: string): Promise<number> {
  return page.evaluate(async ({ key, line, contact, text }) => {
    const list = document.querySelector('ol.messages')!;
    const shown = new Promise<number>((resolve) => {
      const seen = () => Array.from(list.querySelectorAll('li.bubble .text')).some((p) => p.textContent === text);
      const observer = new MutationObserver(() => {
        if (seen()) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const started = performance.now();
    const sent = await fetch(`/api/v1/lines/${line}/messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contact_id: contact, name: contact, text }),
    });
    if (sent.status !== 202) throw new Error(`the message was refused: ${sent.status}`);
    return (await shown) - started;
  }, { key: seeded.key, line: seeded.line, contact: seeded.contact, text });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

test('the workspace with a 5,000-message chat and 1,000 chats, beside the same with a light day', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const light = await seed(browser, supervisor.request, 'Light', 10, 0);
  const heavy = await seed(browser, supervisor.request, 'Heavy', 5000, 999);

  const figures: Record<string, { light: number; heavy: number }> = {};
  const loads = { light: [] as number[], heavy: [] as number[] };
  for (let round = 0; round < 5; round++) {
    loads.light.push(await firstLoad(light, 'Earlier message 10'));
    loads.heavy.push(await firstLoad(heavy, 'Earlier message 5000'));
  }
  figures['first load, median of 5 (ms)'] = { light: median(loads.light), heavy: median(loads.heavy) };

  const screens = { light: [] as number[], heavy: [] as number[] };
  for (const [which, seeded] of [['light', light], ['heavy', heavy]] as const) {
    const page = seeded.agent;
    await page.goto(`/agent/chats/${seeded.chat}`);
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.getByRole('list', { name: 'Messages' }).locator('li.bubble').first()).toBeVisible();
    for (let i = 0; i < 50; i++) screens[which].push(await messageToScreen(page, seeded, `Now ${which} ${i}`));
  }
  figures['message to screen, p50 (ms)'] = { light: percentile(screens.light, 50), heavy: percentile(screens.heavy, 50) };
  figures['message to screen, p99 (ms)'] = { light: percentile(screens.light, 99), heavy: percentile(screens.heavy, 99) };

  // The server's share: each refresh a new message causes, asked for alone (median of 10).
  for (const [which, seeded] of [['light', light], ['heavy', heavy]] as const) {
    const ask = async (endpoint: string, form: Record<string, string>) => {
      const took: number[] = [];
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        const answer = await seeded.agent.request.post(`/api/${endpoint}`, { form });
        expect(answer.status()).toBe(200);
        await answer.body();
        took.push(Date.now() - started);
      }
      return median(took);
    };
    const conversation = await ask('conversation', { chat_id: seeded.chat });
    const inbox = await ask('my_chats', { words: '' });
    figures[`server: the conversation's refresh (ms)`] ??= { light: 0, heavy: 0 };
    figures[`server: the inbox's refresh (ms)`] ??= { light: 0, heavy: 0 };
    figures[`server: the conversation's refresh (ms)`][which] = conversation;
    figures[`server: the inbox's refresh (ms)`][which] = inbox;
  }

  console.log('\n| figure | light day | heavy day | heavy ÷ light |\n|---|---:|---:|---:|');
  for (const [figure, { light, heavy }] of Object.entries(figures)) {
    console.log(`| ${figure} | ${light.toFixed(0)} | ${heavy.toFixed(0)} | ${(heavy / Math.max(light, 1)).toFixed(2)}× |`);
  }
  console.log(`heavy loads: ${loads.heavy.map((v) => v.toFixed(0)).join(', ')} ms; light: ${loads.light.map((v) => v.toFixed(0)).join(', ')} ms`);
});
