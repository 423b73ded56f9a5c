import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

// One transparent pixel.
const PIXEL = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001' +
    '0d0a2db40000000049454e44ae426082',
  'hex',
);

test('a supervisor names the company and gives it a logo; every page and the sign-in pages show them, and a file that is no picture is refused', async ({ browser }) => {
  const stamp = Date.now();
  const supervisor = await (await browser.newContext()).newPage();
  await signInAsSupervisor(supervisor);
  await supervisor.goto('/supervisor/agents');
  await hydrated(supervisor);
  const brand = supervisor.getByRole('region', { name: 'Your brand' });
  await brand.getByLabel('Company name').fill(`Panadería ${stamp}`);
  await brand.getByRole('button', { name: 'Save company name' }).click();
  await expect(brand.getByRole('status')).toHaveText('Saved.');

  await brand.getByLabel('Logo').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(supervisor.getByRole('alert')).toContainText('a logo is a PNG, JPEG, GIF or WebP picture');
  await brand.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PIXEL });
  await expect(brand.getByRole('img', { name: 'Logo' })).toBeVisible();

  await supervisor.goto('/supervisor/monitor');
  await hydrated(supervisor);
  await expect(supervisor.locator('.topbar .brand-name')).toHaveText(`Panadería ${stamp}`);

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/login/agent');
  await hydrated(visitor);
  await expect(visitor.locator('.topbar .brand-name')).toHaveText(`Panadería ${stamp}`);
  const logo = visitor.locator('.topbar img.brand-logo');
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);

  await brand.page().goto('/supervisor/agents');
  await hydrated(supervisor);
  await supervisor.getByRole('button', { name: 'Remove the logo' }).click();
  await expect(supervisor.getByRole('region', { name: 'Your brand' }).getByRole('img')).toHaveCount(0);
});
