import { test, expect } from '@playwright/test';
import { signInAsSupervisor, hydrated } from './session';

test('a supervisor adds pause reasons on their page, is told of a duplicate, renames one and retires it', async ({ page }) => {
  const stamp = Date.now();
  await signInAsSupervisor(page);
  await page.goto('/supervisor/pause-reasons');
  await hydrated(page);
  const reason = `Training ${stamp}`;
  await page.getByLabel('Reason', { exact: true }).fill(reason);
  await page.getByRole('button', { name: 'Add reason' }).click();
  const list = page.getByRole('list', { name: 'Pause reasons' });
  await expect(list.getByText(reason)).toBeVisible();

  await page.getByLabel('Reason', { exact: true }).fill(reason.toUpperCase());
  await page.getByRole('button', { name: 'Add reason' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');

  const renamed = `Training room ${stamp}`;
  await page.getByLabel(`New name for ${reason}`).fill(renamed);
  await list.locator('li').filter({ hasText: reason }).getByRole('button', { name: 'Rename' }).click();
  await expect(list.getByText(renamed)).toBeVisible();
  await expect(list.getByText(reason, { exact: true })).toHaveCount(0);

  await page.getByRole('button', { name: `Retire ${renamed}` }).click();
  await expect(list.getByText(renamed)).toHaveCount(0);
  const reasons = await (await page.request.get('/api/v1/pause-reasons')).json();
  expect(reasons.map((r: any) => r.name)).not.toContain(renamed);
});
