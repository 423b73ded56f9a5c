import { test, expect } from '@playwright/test';
import { signInAsSupervisor, signInAsAgent } from './session';

test('an agent pauses with a reason and resumes from their page', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  // Arranged through the API with the supervisor's session: the console has no pause-reason page yet.
  const reason = `Lunch ${stamp}`;
  expect((await supervisor.request.post('/api/v1/pause-reasons', { data: { name: reason } })).status()).toBe(201);
  const email = `paula${stamp}@example.com`;
  const created = await supervisor.request.post('/api/v1/agents', {
    data: { name: 'Paula', email, password: 'agent password' },
  });
  expect(created.status()).toBe(201);

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'agent password');
  await expect(agent.getByRole('status')).toHaveText('Available');

  await agent.getByLabel('Reason').selectOption({ label: reason });
  await agent.getByRole('button', { name: 'Pause' }).click();
  await expect(agent.getByRole('status')).toHaveText(`Paused: ${reason}`);

  const board = await supervisor.request.get('/api/v1/agents');
  const paula = (await board.json()).find((a: any) => a.email === email);
  expect(paula.paused.reason).toBe(reason);

  await agent.getByRole('button', { name: 'Resume' }).click();
  await expect(agent.getByRole('status')).toHaveText('Available');
});
