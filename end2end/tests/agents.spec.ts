import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent, submitAgentSignIn } from './session';

test('a supervisor creates an agent, who then signs in on the agents page', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);

  const email = `agent${Date.now()}@example.com`;
  await supervisor.getByRole('form', { name: 'Create an agent' }).getByLabel('Name', { exact: true }).fill('Ana María');
  await supervisor.getByRole('form', { name: 'Create an agent' }).getByLabel('E-mail', { exact: true }).fill(email);
  await supervisor.getByRole('form', { name: 'Create an agent' }).getByLabel('Initial password', { exact: true }).fill('agent password');
  await supervisor.getByRole('button', { name: 'Create agent' }).click();
  await expect(supervisor.getByRole('list', { name: 'Agents' })).toContainText(email);

  await supervisor.getByRole('form', { name: 'Create an agent' }).getByLabel('E-mail', { exact: true }).fill(email.toUpperCase());
  await supervisor.getByRole('button', { name: 'Create agent' }).click();
  await expect(supervisor.getByRole('alert')).toContainText('already has an account');

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  await agent.goto('/supervisor/agents');
  await expect(agent.getByRole('alert')).toContainText('your role (agent) may not do this');
});

test('a supervisor deactivates an agent from the agents page, who then cannot sign in', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const stamp = Date.now();
  const email = `leaving${stamp}@example.com`;
  const name = `Leaving ${stamp}`;
  expect((await supervisor.request.post('/api/v1/agents', { data: { name, email, password: 'agent password' } })).status()).toBe(201);
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);
  await supervisor.getByRole('button', { name: `Deactivate ${name}` }).click();
  const row = supervisor.getByRole('listitem').filter({ hasText: email });
  await expect(row).toContainText('(deactivated)');

  const agent = await (await browser.newContext()).newPage();
  await submitAgentSignIn(agent, email, 'agent password');
  await expect(agent.getByRole('alert')).toContainText('deactivated');
});

test('a supervisor sets how many chats an agent handles at once from the agents page', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const stamp = Date.now();
  const name = `Busy ${stamp}`;
  const created = await supervisor.request.post('/api/v1/agents', { data: { name, email: `busy${stamp}@example.com`, password: 'agent password' } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).user_id;
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);
  const capacity = supervisor.getByLabel(`Chats at once for ${name}`);
  await expect(capacity).toHaveValue('3');
  await capacity.fill('7');
  await supervisor.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Set' }).click();
  await expect.poll(async () => {
    const agents: { user_id: string; capacity: number }[] = await (await supervisor.request.get('/api/v1/agents')).json();
    return agents.find((a) => a.user_id === id)?.capacity;
  }).toBe(7);
  await supervisor.reload();
  await hydrated(supervisor);
  await expect(supervisor.getByLabel(`Chats at once for ${name}`)).toHaveValue('7');
});

test('a supervisor renames an agent, sees their queues and the company limits, and creates and deactivates an auditor and a supervisor', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const api = supervisor.request;
  const stamp = Date.now();
  const name = `Nico ${stamp}`;
  const id = (await (await api.post('/api/v1/agents', { data: { name, email: `nico${stamp}@example.com`, password: 'agent password' } })).json()).user_id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Cards ${stamp}` } })).json()).id;
  expect((await api.put(`/api/v1/queues/${queue}/members/${id}`, { data: {} })).status()).toBe(204);
  const company = await (await api.get('/api/v1/company')).json();

  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);
  await expect(supervisor.getByRole('heading', { name: 'People', level: 1 })).toBeVisible();
  await expect(supervisor.locator('.agents-used')).toHaveText(new RegExp(`^${company.agents}\\b`));
  const row = supervisor.getByRole('list', { name: 'Agents' }).getByRole('listitem').filter({ hasText: `nico${stamp}@example.com` });
  await expect(row.locator('.agent-queues')).toContainText(`Cards ${stamp}`);

  await supervisor.getByLabel(`Name of ${name}`).fill('   ');
  await row.getByRole('button', { name: 'Save name' }).click();
  await expect(supervisor.getByRole('alert')).toBeVisible();
  await supervisor.getByLabel(`Name of ${name}`).fill(`Nicolás ${stamp}`);
  await row.getByRole('button', { name: 'Save name' }).click();
  await expect(supervisor.getByRole('status')).toHaveText('Saved.');
  await expect(supervisor.getByLabel(`Name of Nicolás ${stamp}`)).toHaveValue(`Nicolás ${stamp}`);
  const agents: { user_id: string; name: string }[] = await (await api.get('/api/v1/agents')).json();
  expect(agents.find((a) => a.user_id === id)?.name).toBe(`Nicolás ${stamp}`);

  const staff = supervisor.getByRole('form', { name: 'Create a supervisor or an auditor' });
  for (const [who, role] of [[`Aurora ${stamp}`, 'Auditor'], [`Sara ${stamp}`, 'Supervisor']]) {
    await staff.getByLabel('Name', { exact: true }).fill(who);
    await staff.getByLabel('E-mail', { exact: true }).fill(`${who.split(' ')[0].toLowerCase()}${stamp}@example.com`);
    await staff.getByLabel('Initial password', { exact: true }).fill('colleague password');
    await staff.getByLabel('Role', { exact: true }).selectOption({ label: role });
    await staff.getByRole('button', { name: 'Create colleague' }).click();
    await expect(supervisor.getByRole('list', { name: 'Supervisors and auditors' }).getByRole('listitem').filter({ hasText: who })).toContainText(role);
  }
  await supervisor.getByRole('button', { name: `Deactivate Aurora ${stamp}` }).click();
  await expect(supervisor.getByRole('list', { name: 'Supervisors and auditors' }).getByRole('listitem').filter({ hasText: `Aurora ${stamp}` })).toContainText('(deactivated)');

  const auditor = await (await browser.newContext()).newPage();
  await auditor.goto('/login/supervisor');
  await hydrated(auditor);
  await auditor.getByLabel('E-mail').fill(`aurora${stamp}@example.com`);
  await auditor.getByLabel('Password').fill('colleague password');
  await auditor.getByRole('button', { name: 'Sign in' }).click();
  await expect(auditor.getByRole('alert')).toContainText('deactivated');
});
