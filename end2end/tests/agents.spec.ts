import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor, signInAsAgent, submitAgentSignIn } from './session';

test('a supervisor creates an agent, who then signs in on the agents page', async ({ browser }) => {
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);

  const email = `agent${Date.now()}@example.com`;
  await supervisor.getByLabel('Name').fill('Ana María');
  await supervisor.getByLabel('E-mail').fill(email);
  await supervisor.getByLabel('Initial password').fill('agent password');
  await supervisor.getByRole('button', { name: 'Create agent' }).click();
  await expect(supervisor.getByRole('list', { name: 'Agents' })).toContainText(email);

  await supervisor.getByLabel('E-mail').fill(email.toUpperCase());
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
