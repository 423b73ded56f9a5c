import { test, expect } from '@playwright/test';
import { hydrated, signInAsAgent, signInAsSupervisor } from './session';

test('a supervisor reads the report of one line: each category with its chats, the agents and menu options, charts and files, in the company time zone', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;

  // The company's days are Madrid's, set where the brand is.
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);
  const brand = supervisor.getByRole('region', { name: 'Your brand' });
  await brand.getByLabel('Time zone').fill('Mars/Olympus');
  await brand.getByRole('button', { name: 'Save time zone' }).click();
  await expect(supervisor.getByRole('alert')).toContainText('"Mars/Olympus" is not a time zone');
  await brand.getByLabel('Time zone').fill('Europe/Madrid');
  await brand.getByRole('button', { name: 'Save time zone' }).click();
  await expect(brand.getByRole('status')).toHaveText('Saved.');

  const email = `rita${stamp}@example.com`;
  const rita = (await (await api.post('/api/v1/agents', { data: { name: `Rita ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Ventas ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${rita}`, { data: {} })).status()).toBe(204);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const lineName = `Report line ${stamp}`;
  const menu = { header: 'Hola', options: [
    { label: 'Ventas', action: { kind: 'queue', queue } },
    { label: 'Horario', action: { kind: 'text', text: '9 a 18' } },
  ] };
  const line = (await (await api.post('/api/v1/lines', { data: { name: lineName, routing: { menu } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const write = async (who: string, text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: `+34600${stamp}${who}`, name: `${who} ${stamp}`, text },
    });
    expect(sent.status()).toBe(202);
    return (await sent.json()).chat_id as string;
  };
  // Ana picks "Ventas", Rita answers and resolves; Berta picks "Ventas" and waits; Carla stays with the bot.
  const ana = await write('Ana', 'hola');
  await write('Ana', '1');
  await write('Berta', 'hola');
  await write('Berta', '1');
  await write('Carla', 'hola');
  await expect(agent.getByRole('list', { name: 'My chats' }).getByText(`Berta ${stamp}`)).toBeVisible();
  await expect(agent.getByRole('list', { name: 'My chats' }).getByText(`Ana ${stamp}`)).toBeVisible();
  expect((await agent.request.post(`/api/v1/chats/${ana}/messages`, { data: { text: 'Te ayudo' } })).status()).toBe(201);
  expect((await agent.request.post(`/api/v1/chats/${ana}/resolve`, { data: {} })).status()).toBe(204);
  // The page is read once: wait until the read models hold all of it.
  await expect.poll(async () => {
    const report = await (await api.get(`/api/v1/reports?from=2000-01-01&until=2000-01-01&line=${line}`)).json();
    return report.categories?.map((c: { total: number }) => c.total);
  }).toEqual([1, 0, 1, 0, 0]);
  // Days around today wherever the server's clock is (other tests move it forward).
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await expect.poll(async () => {
    const report = await (await api.get(`/api/v1/reports?from=${day(-3)}&until=${day(3)}&line=${line}`)).json();
    return [report.categories?.[3]?.total, report.categories?.[4]?.total];
  }).toEqual([3, 1]);

  await supervisor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(supervisor).toHaveURL((url) => url.pathname === '/audit/reports');
  await hydrated(supervisor);
  await expect(supervisor.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  await expect(supervisor.locator('.report-summary')).toContainText('Europe/Madrid');
  await supervisor.getByLabel('Of', { exact: true }).selectOption(`line:${line}`);
  const totals = supervisor.locator('.report-totals');
  await expect(totals.locator('.total.pending dd')).toHaveText('1');
  await expect(totals.locator('.total.following dd')).toHaveText('0');
  await expect(totals.locator('.total.open dd')).toHaveText('1');
  await expect(totals.locator('.total.new dd')).toHaveText('3');
  await expect(totals.locator('.total.resolved dd')).toHaveText('1');
  await expect(supervisor.locator('.report-summary .incoming')).toHaveText('3');

  // Each category lists its chats (P6), and its file holds them.
  await supervisor.getByText('Resolved by an agent or a supervisor, in these days: 1').click();
  const resolved = supervisor.getByRole('table', { name: 'Resolved by an agent or a supervisor, in these days' });
  const row = resolved.getByRole('row').filter({ hasText: `Ana ${stamp}` });
  await expect(row).toContainText(`Rita ${stamp}`);
  await expect(row).toContainText(`Ventas ${stamp}`);
  await expect(row.getByRole('link', { name: `Ana ${stamp}` })).toHaveAttribute('href', `/supervisor/chats/${ana}`);
  await supervisor.getByText('Open — no agent yet (now): 1').click();
  await expect(supervisor.getByRole('table', { name: 'Open — no agent yet (now)' })).toContainText(`Carla ${stamp}`);
  const file = supervisor.locator('.report-category.resolved').getByRole('link', { name: 'Download as CSV' });
  const href = await file.getAttribute('href');
  expect(href).toContain('category=resolved');
  expect(href).toContain(`line=${line}`);
  const rows = (await (await api.get(href!)).text()).trim().split('\n');
  expect(rows.length).toBe(2);
  expect(rows[1]).toContain(`Ana ${stamp}`);

  // The agents' table (P9) and the menu options' (P10).
  const agents = supervisor.getByRole('table', { name: 'Agents' });
  const ritasRow = agents.getByRole('row').filter({ has: supervisor.getByRole('rowheader', { name: `Rita ${stamp}`, exact: true }) });
  await expect(ritasRow.getByRole('cell')).toHaveText(['1', '0', '2', '1', /\d+ s/, /\d+ s/]);
  const options = supervisor.getByRole('table', { name: 'Menu options' });
  const ventas = options.getByRole('row').filter({ hasText: lineName }).filter({ hasText: '1 · Ventas' });
  await expect(ventas.getByRole('cell')).toHaveText([lineName, '1', '0', '2', '1', '0']);

  // Charts drawn with the page, each with the table behind it.
  const perHour = supervisor.getByRole('figure', { name: 'Conversations per hour of the day' });
  await expect(perHour.getByRole('img')).toBeVisible();
  await perHour.getByText('The figures').click();
  await expect(perHour.getByRole('table')).toBeVisible();
  const perHourIncoming = await perHour.locator('tbody tr').evaluateAll((rows) =>
    rows.reduce((sum, row) => sum + Number(row.querySelector('td')?.textContent ?? 0), 0));
  expect(perHourIncoming).toBe(3);

  // As it stood long before this line existed: nothing of it, read from the log as it was then.
  await supervisor.getByLabel('As it stood at').fill('2000-01-01T00:00');
  await supervisor.getByLabel('As it stood at').dispatchEvent('change');
  await expect(supervisor.locator('.past-moment')).toContainText('As it stood at');
  await expect(totals.locator('.total.pending dd')).toHaveText('0');
  await expect(totals.locator('.total.open dd')).toHaveText('0');
  await expect(supervisor.locator('.report-summary .incoming')).toHaveText('0');
  await supervisor.getByLabel('As it stood at').fill('');
  await supervisor.getByLabel('As it stood at').dispatchEvent('change');
  await expect(totals.locator('.total.pending dd')).toHaveText('1');

  // In Spanish too.
  await supervisor.getByLabel('Language').selectOption('es');
  await expect(supervisor.getByRole('heading', { name: 'Informes', level: 1 })).toBeVisible();
  await expect(supervisor.getByText('Pendientes — el cliente espera nuestra respuesta (ahora)').first()).toBeVisible();
  await supervisor.getByLabel('Idioma').selectOption('en');
});
