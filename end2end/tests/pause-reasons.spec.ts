import { test, expect } from '@playwright/test';
import { signInAsSupervisor, hydrated } from './session';

test('a supervisor adds pause reasons on their page, is told of a duplicate, and retires one', async ({ page }) => {
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

  await page.getByRole('button', { name: `Retire ${reason}` }).click();
  await expect(list.getByText(reason)).toHaveCount(0);
  const reasons = await (await page.request.get('/api/v1/pause-reasons')).json();
  expect(reasons.map((r: any) => r.name)).not.toContain(reason);
});
