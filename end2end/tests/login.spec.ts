import { test, expect } from '@playwright/test';
import { ADMIN, hydrated, signInAsAgent, signInAsSupervisor } from './session';

test('a supervisor signs in and lands on the console, and signs out', async ({ page }) => {
  await signInAsSupervisor(page);
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  // The home page belongs to another app: the console loads it in its place, and going on before
  // that load ends would race it.
  await expect(page.getByRole('heading', { level: 1, name: 'Ikono Chat' })).toBeVisible();
  await hydrated(page);
  await page.goto('/supervisor/queues');
  await expect(page.getByRole('alert')).toContainText('please sign in');
});

test('a wrong password is refused with a message on the sign-in page', async ({ page }) => {
  await page.goto('/login/supervisor');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('wrong e-mail or password');
  await expect(page).toHaveURL(/\/login\/supervisor$/);
});

test('agents and supervisors have their own sign-in pages, each with its look', async ({ page }) => {
  await page.goto('/login/agent');
  await expect(page.getByRole('heading', { name: 'Agent sign-in' })).toBeVisible();
  const agentColour = await page.locator('.login h1').evaluate((el) => getComputedStyle(el).color);
  await page.goto('/login/supervisor');
  await expect(page.getByRole('heading', { name: 'Supervisor sign-in' })).toBeVisible();
  const supervisorColour = await page.locator('.login h1').evaluate((el) => getComputedStyle(el).color);
  expect(agentColour).not.toBe(supervisorColour);
});

test('the console asks to sign in when nobody is signed in', async ({ page }) => {
  await page.goto('/supervisor/queues');
  await expect(page.getByRole('alert')).toContainText('please sign in');
  await expect(page.getByRole('link', { name: 'sign in' })).toHaveAttribute('href', '/login/supervisor');
});

/** The links of the top bar's main navigation, in order. After a sign-in the bar changes once the
 * new page has asked who is signed in: callers poll until it shows what they expect. */
async function navLinks(page: import('@playwright/test').Page) {
  const nav = page.getByRole('navigation', { name: /Main|Principal/ });
  await expect(nav).toBeVisible();
  return nav.getByRole('link').allTextContents();
}

test('a visitor is offered the ways to sign in, in the page\'s language, and no sign-out', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await expect.poll(() => navLinks(page)).toEqual(['Supervisor sign-in', 'Agent sign-in']);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Sign in as an agent' })).toHaveAttribute('href', '/login/agent');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/?lang=es');
  await expect.poll(() => navLinks(page)).toEqual(['Acceso de supervisores', 'Acceso de agentes']);
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  // The server's HTML already names the language, before any script runs.
  const served = await (await page.request.get('/?lang=es')).text();
  expect(served).toMatch(/<html[^>]*\blang="es"/);
});

test('each role sees its own pages in the top bar, and a sign-out', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  await expect.poll(() => navLinks(supervisor)).toEqual(['Queues', 'Lines', 'Contacts', 'People', 'Monitor', 'Reports', 'Pause reasons', 'Quick replies', 'Blacklist']);
  await expect(supervisor.getByRole('button', { name: 'Sign out' })).toBeVisible();

  const api = supervisor.request;
  const agentEmail = `nav-agent${stamp}@example.com`;
  const auditorEmail = `nav-auditor${stamp}@example.com`;
  expect((await api.post('/api/v1/agents', { data: { name: `Ana ${stamp}`, email: agentEmail, password: 'agent password' } })).status()).toBe(201);
  expect((await api.post('/api/v1/auditors', { data: { name: `Olga ${stamp}`, email: auditorEmail, password: 'auditor password' } })).status()).toBe(201);

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, agentEmail, 'agent password');
  await expect.poll(() => navLinks(agent)).toEqual(['My chats', 'Contacts']);
  await expect(agent.getByRole('button', { name: 'Sign out' })).toBeVisible();

  const auditor = await (await browser.newContext()).newPage();
  await auditor.goto('/login/supervisor');
  await hydrated(auditor);
  await auditor.getByLabel('E-mail').fill(auditorEmail);
  await auditor.getByLabel('Password').fill('auditor password');
  await auditor.getByRole('button', { name: 'Sign in' }).click();
  await expect(auditor).toHaveURL((url) => url.pathname === '/supervisor/monitor');
  await expect.poll(() => navLinks(auditor)).toEqual(['Monitor', 'Reports', 'Contacts']);

  // Signing out from the top bar gives the visitor's choices back, without a reload.
  await agent.getByRole('button', { name: 'Sign out' }).click();
  await expect(agent).toHaveURL((url) => url.pathname === '/');
  await expect.poll(() => navLinks(agent)).toEqual(['Supervisor sign-in', 'Agent sign-in']);
  await expect(agent.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
});

test('everyone reads what is new: the changelog and every feature with its state, in either language', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: "What's new" }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/whats-new');
  await expect(page.getByRole('heading', { name: "What's new", level: 1 })).toBeVisible();
  const changes = page.getByRole('region', { name: 'Changes' });
  await expect(changes.getByRole('heading', { name: 'Changelog' })).toBeVisible();
  const features = page.getByRole('region', { name: 'Features' });
  const p8 = features.getByRole('row').filter({ has: page.getByRole('cell', { name: 'P8', exact: true }) });
  await expect(p8).toContainText('A page listing all of the product');
  await page.goto('/whats-new?lang=es');
  await expect(page.getByRole('heading', { name: 'Novedades', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Funciones' }).getByRole('cell', { name: 'W5', exact: true })).toBeVisible();
});
