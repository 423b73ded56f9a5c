import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

// What a first visit downloads, as the browser received it, gzipped: the limits we promise.
// The console's and the workspace's pages, each: the HTML, the stylesheet and its app's bundle.
const APP_LIMIT = 600 * 1024;
// The widget's room, on customers' phones inside other companies' sites: everything it loads
// (the page, the stylesheet, its script and the visitor's first requests).
const WIDGET_LIMIT = 150 * 1024;

/** A fresh browser that asks for gzip only (not brotli), so that sizes read as the limits say. */
async function gzipOnlyPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { 'accept-encoding': 'gzip' } });
  return context.newPage();
}

/** Opens `path` in `page` until it has hydrated; answers every response's URL, encoding and the
 * bytes its body took on the wire, and fails on any error the page threw (a broken bundle). */
async function firstVisit(page: Page, path: string) {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const responses: Promise<{ url: string; encoding: string | undefined; bytes: number }>[] = [];
  page.on('requestfinished', (request) => {
    responses.push(
      (async () => {
        const response = await request.response();
        const sizes = await request.sizes();
        return {
          url: request.url(),
          encoding: response?.headers()['content-encoding'],
          bytes: sizes.responseBodySize,
        };
      })(),
    );
  });
  await page.goto(path);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  expect(errors, 'errors thrown while the page loaded').toEqual([]);
  return Promise.all(responses);
}

function report(what: string, loaded: { url: string; encoding: string | undefined; bytes: number }[]) {
  const total = loaded.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`${what}: ${(total / 1024).toFixed(1)} KB in all`);
  for (const r of loaded) console.log(`  ${(r.bytes / 1024).toFixed(1)} KB ${r.encoding ?? 'identity'} ${r.url}`);
  return total;
}

for (const [app, path, bundle, others] of [
  ['console', '/login/supervisor', 'console', ['workspace', 'settings', 'lines', 'audit']],
  ['workspace', '/login/agent', 'workspace', ['console', 'settings', 'lines', 'audit']],
  ['settings', '/supervisor/queues', 'settings', ['console', 'workspace', 'lines', 'audit']],
  ['lines', '/supervisor/lines', 'lines', ['console', 'workspace', 'settings', 'audit']],
  ['audit', '/audit/chats/00000000-0000-0000-0000-000000000000', 'audit', ['console', 'workspace', 'settings', 'lines']],
] as const) {
  test(`the ${app} hydrates from its own release bundle, sent gzipped, within its size`, async ({ browser }) => {
    const page = await gzipOnlyPage(browser);
    const loaded = await firstVisit(page, path);
    const wasm = loaded.find((r) => r.url.endsWith(`/pkg/${bundle}_bg.wasm`));
    expect(wasm, 'the app bundle was loaded').toBeDefined();
    expect(wasm?.encoding).toBe('gzip');
    expect(loaded.filter((r) => others.some((other) => r.url.includes(`/pkg/${other}`))), 'no other app is loaded').toEqual([]);
    expect(report(`${app} sign-in page`, loaded)).toBeLessThan(APP_LIMIT);
  });
}

test("the widget's room loads no WASM and comes alive, everything it loads within its size", async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const stamp = Date.now();
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Bundles ${stamp}` } })).json()).id;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Bundles ${stamp}`, routing: { queue } } })).json()).id;
  const widget = await (await api.put(`/api/v1/lines/${line}/widget`, { data: {} })).json();

  const page = await gzipOnlyPage(browser);
  const loaded = await firstVisit(page, `/widget/${widget.key}?lang=en`);
  // The room works: the visitor's (empty) chat was fetched and shown.
  await expect(page.getByText('Write to us: we answer here.')).toBeVisible();
  const script = loaded.find((r) => r.url.endsWith('/widget-room.js'));
  expect(script, "the room's script was loaded").toBeDefined();
  expect(script?.encoding).toBe('gzip');
  expect(loaded.filter((r) => r.url.endsWith('.wasm')), 'the room loads no WASM').toEqual([]);
  expect(report('widget room', loaded)).toBeLessThan(WIDGET_LIMIT);
});
