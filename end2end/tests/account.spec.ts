import { test, expect } from '@playwright/test';
import { hydrated, signInAsAgent, signInAsSupervisor, submitAgentSignIn } from './session';

test('an agent changes their password from the top bar, is told of a wrong one, and signs in with the new one', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  const email = `clara${stamp}@example.com`;
  const created = await supervisor.request.post('/api/v1/agents', {
    data: { name: 'Clara', email, password: 'first password' },
  });
  expect(created.status()).toBe(201);

  const agent = await (await browser.newContext()).newPage();
  await signInAsAgent(agent, email, 'first password');
  await agent.getByRole('link', { name: 'Password' }).click();
  await expect(agent.getByRole('heading', { name: 'Change your password' })).toBeVisible();
  await hydrated(agent);
  const form = agent.getByRole('form', { name: 'Change your password' });
  await form.getByLabel('Current password').fill('not it');
  await form.getByLabel('New password', { exact: true }).fill('second password');
  await form.getByLabel('New password, again').fill('second password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(agent.getByRole('alert')).toContainText('the current password is not right');

  await form.getByLabel('Current password').fill('first password');
  await form.getByLabel('New password, again').fill('a different one');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(agent.getByRole('alert')).toContainText('the two new passwords differ');

  await form.getByLabel('New password, again').fill('second password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(agent).toHaveURL((url) => url.pathname === '/agent');

  const again = await (await browser.newContext()).newPage();
  await submitAgentSignIn(again, email, 'first password');
  await expect(again.getByRole('alert')).toContainText('wrong e-mail or password');
  await signInAsAgent(again, email, 'second password');
});

test('the password page speaks Spanish', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.goto('/account/password?first=1&lang=es');
  await expect(page.getByRole('heading', { name: 'Cambia tu contraseña' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('contraseña predeterminada');
  await expect(page.getByLabel('Contraseña actual')).toBeVisible();
});
