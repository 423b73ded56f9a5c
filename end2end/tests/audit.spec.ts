import { test, expect } from '@playwright/test';
import { hydrated, signInAsAuditor, signInAsSupervisor, signInAsAgent } from './session';

test('an auditor reads a chats history as the log holds it, narrows it by event type and downloads it as CSV', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const email = `tomas${stamp}@example.com`;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Tomás ${stamp}`, email, password: 'agent password' } })).json()).user_id;
  const auditorEmail = `audra${stamp}@example.com`;
  expect((await api.post('/api/v1/auditors', { data: { name: `Audra ${stamp}`, email: auditorEmail, password: 'auditor password' } })).status()).toBe(201);
  const key = (await (await api.post('/api/v1/api-keys', { data: { name: 'Shop' } })).json()).key;
  const line = (await (await api.post('/api/v1/lines', { data: { name: `Audit line ${stamp}`, routing: { agent: agentId } } })).json()).id;
  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  const write = async (text: string) => {
    const sent = await api.post(`/api/v1/lines/${line}/messages`, {
      headers: { Authorization: `Bearer ${key}` },
      data: { contact_id: `+5491150${stamp}`, name: `Elsa ${stamp}`, text },
    });
    expect(sent.status()).toBe(202);
    return (await sent.json()).chat_id;
  };
  const chat = await write('Hola');
  await write('¿Me leen?');
  await expect(agent.getByRole('list', { name: 'My chats' }).getByText(`Elsa ${stamp}`)).toBeVisible();
  expect((await agent.request.post(`/api/v1/chats/${chat}/messages`, { data: { text: 'Sí, decime' } })).status()).toBe(201);

  // The supervisor's page of the chat leads to its history.
  await supervisor.goto(`/supervisor/chats/${chat}`);
  await hydrated(supervisor);
  await expect(supervisor.getByRole('link', { name: 'History as the log holds it' })).toHaveAttribute('href', `/audit/chats/${chat}`);

  const auditor = await (await browser.newContext()).newPage();
  await signInAsAuditor(auditor, auditorEmail, 'auditor password');
  await auditor.goto(`/audit/chats/${chat}`);
  await hydrated(auditor);
  const events = auditor.getByRole('table', { name: 'Events' });
  await expect(events.locator('tbody tr').first()).toHaveAttribute('data-type', 'ChatStarted');
  await expect(events.locator('tbody tr[data-type="AgentReplied"] .actor')).toHaveText(`Tomás ${stamp} (agent:${agentId})`);
  await expect(events.locator('tbody tr[data-type="AgentReplied"] .event-data')).toContainText('Sí, decime');

  await auditor.getByLabel('Event type').selectOption('CustomerMessageReceived');
  await expect(events.locator('tbody tr')).toHaveCount(2);
  await expect(events.locator('tbody tr').nth(1)).toContainText('¿Me leen?');
  const download = auditor.getByRole('link', { name: 'Download as CSV' });
  await expect(auditor.getByRole('link', { name: 'Download as Excel' })).toHaveAttribute('href', `/api/v1/chats/${chat}/history.xlsx?event_type=CustomerMessageReceived`);
  await expect(download).toHaveAttribute('href', `/api/v1/chats/${chat}/history.csv?event_type=CustomerMessageReceived`);
  const file = await auditor.request.get(`/api/v1/chats/${chat}/history.csv?event_type=CustomerMessageReceived`);
  expect(file.status()).toBe(200);
  const rows = (await file.text()).trim().split('\n');
  expect(rows[0]).toBe('stream,revision,occurred_at,recorded_at,event_type,actor,correlation_id,causation_id,data');
  expect(rows.length).toBe(3);
  expect(rows[2]).toContain('¿Me leen?');

  // A moment after every event leaves nothing.
  await auditor.getByLabel('From').fill('2099-01-01T00:00');
  await auditor.getByLabel('From').dispatchEvent('change');
  await expect(auditor.getByText('No event is like that.')).toBeVisible();
});

test('from the reports an auditor opens the histories of a queue and an agent; a contact card leads to the contact history', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const agentId = (await (await api.post('/api/v1/agents', { data: { name: `Iris ${stamp}`, email: `iris${stamp}@example.com`, password: 'agent password' } })).json()).user_id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Cobros ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${agentId}`, { data: {} })).status()).toBe(204);
  const contact = (await (await api.post('/api/v1/contacts', { data: { name: `Olga ${stamp}`, accounts: [{ channel: 'whatsapp', id: `+346${String(stamp).slice(-8)}` }] } })).json()).id;
  const auditorEmail = `aurelio${stamp}@example.com`;
  expect((await api.post('/api/v1/auditors', { data: { name: `Aurelio ${stamp}`, email: auditorEmail, password: 'auditor password' } })).status()).toBe(201);

  const auditor = await (await browser.newContext()).newPage();
  await signInAsAuditor(auditor, auditorEmail, 'auditor password');
  await auditor.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await hydrated(auditor);
  await auditor.getByRole('link', { name: 'Histories of agents, queues and lines, as the log holds them' }).click();
  await expect(auditor).toHaveURL((url) => url.pathname === '/audit');
  // The whole installation audited from the page: every read model rebuilt and compared, every seal checked.
  await hydrated(auditor);
  await auditor.getByRole('button', { name: 'Audit now' }).click();
  await expect(auditor.getByRole('status')).toHaveText('Nothing differs: the read models are what the log says, and every seal matches.', { timeout: 60_000 });
  await expect(auditor.locator('.audit-report')).toContainText('chat_board v9');
  await auditor.getByRole('list', { name: 'Queues' }).getByRole('link', { name: `Cobros ${stamp}` }).click();
  await expect(auditor).toHaveURL((url) => url.pathname === `/audit/queues/${queue}`);
  await expect(auditor.getByRole('heading', { name: 'History of the queue', level: 1 })).toBeVisible();
  const events = auditor.getByRole('table', { name: 'Events' });
  await expect(events.locator('tbody tr')).toHaveCount(2);
  await expect(events.locator('tbody tr[data-type="AgentAddedToQueue"] .event-data')).toContainText(agentId);
  await expect(auditor.getByRole('link', { name: 'Download as Excel' })).toHaveAttribute('href', `/api/v1/queues/${queue}/history.xlsx`);
  const workbook = await auditor.request.get(`/api/v1/queues/${queue}/history.xlsx`);
  expect(workbook.status()).toBe(200);
  expect((await workbook.body()).subarray(0, 2).toString()).toBe('PK');

  await auditor.goto(`/audit/agents/${agentId}`);
  await hydrated(auditor);
  await expect(auditor.getByRole('heading', { name: 'History of the agent', level: 1 })).toBeVisible();
  await expect(auditor.locator('.history-of strong')).toHaveText(`Iris ${stamp}`);

  await supervisor.goto(`/contacts/${contact}`);
  await hydrated(supervisor);
  await supervisor.getByRole('link', { name: 'History as the log holds it' }).click();
  await expect(supervisor).toHaveURL((url) => url.pathname === `/audit/contacts/${contact}`);
  await expect(supervisor.getByRole('heading', { name: 'History of the contact', level: 1 })).toBeVisible();
  await expect(supervisor.getByRole('table', { name: 'Events' })).toContainText(`Olga ${stamp}`);
});
