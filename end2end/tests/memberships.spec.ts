import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

test('a supervisor adds an agent to a queue and takes them out again', async ({ page }) => {
  await signInAsSupervisor(page);
  const stamp = Date.now();
  const agentName = `Luis ${stamp}`;
  await page.goto('/supervisor/agents');
  await hydrated(page);
  await page.getByRole('form', { name: 'Create an agent' }).getByLabel('Name', { exact: true }).fill(agentName);
  await page.getByRole('form', { name: 'Create an agent' }).getByLabel('E-mail', { exact: true }).fill(`luis${stamp}@example.com`);
  await page.getByRole('form', { name: 'Create an agent' }).getByLabel('Initial password', { exact: true }).fill('agent password');
  await page.getByRole('button', { name: 'Create agent' }).click();
  await expect(page.getByRole('list', { name: 'Agents' })).toContainText(agentName);

  const queueName = `Support ${stamp}`;
  await page.goto('/supervisor/queues');
  await hydrated(page);
  await page.getByLabel('Queue name').fill(queueName);
  await page.getByRole('button', { name: 'Create queue' }).click();
  await expect(page.getByRole('list', { name: 'Queues' }).getByText(queueName, { exact: true })).toBeVisible();

  await page.reload();
  await hydrated(page);
  await page.getByLabel('Agent', { exact: true }).selectOption({ label: agentName });
  await page.getByLabel('Queue', { exact: true }).selectOption({ label: queueName });
  await page.getByRole('button', { name: 'Add to queue' }).click();
  const members = page.getByRole('list', { name: `Members of ${queueName}` });
  await expect(members).toContainText(agentName);

  await page.getByRole('button', { name: `Remove ${agentName} from ${queueName}` }).click();
  await expect(members).not.toContainText(agentName);
});
