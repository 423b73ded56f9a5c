import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

test('a supervisor writes quick replies, finds them by words and category, rewrites one in place and retires another; a shortcut with a space is refused in its form', async ({ page }) => {
  const stamp = Date.now();
  await signInAsSupervisor(page);
  await page.goto('/supervisor/quick-replies');
  await hydrated(page);
  await page.getByText('Write a quick reply').click();
  const form = page.getByRole('form', { name: 'Write a quick reply' });
  const write = async (shortcut: string, title: string, text: string, category: string) => {
    await form.getByLabel('Shortcut').fill(shortcut);
    await form.getByLabel('Title').fill(title);
    await form.getByLabel('Text').fill(text);
    await form.getByLabel('Category').fill(category);
    await form.getByRole('button', { name: 'Save quick reply' }).click();
  };
  await write(`mal ${stamp}`, 'Bad', 'Bad', '');
  await expect(page.getByRole('alert')).toContainText('shortcut');
  await write(`envio${stamp}`, 'Shipping', `Enviamos en 24 horas (${stamp}).`, `Orders ${stamp}`);
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await write(`horario${stamp}`, 'Hours', `Abrimos de 9 a 18 (${stamp}).`, `Shop ${stamp}`);

  const list = page.getByRole('list', { name: 'Quick replies' });
  await page.getByLabel('Find by shortcut, title or text').fill(`24 horas (${stamp}`);
  await expect(list.locator('.shortcut')).toHaveText([`/envio${stamp}`]);
  await page.getByLabel('Find by shortcut, title or text').fill(String(stamp));
  await expect(list.locator('.shortcut')).toHaveCount(2);
  await page.getByRole('combobox', { name: 'Category', exact: true }).selectOption({ label: `Shop ${stamp}` });
  await expect(list.locator('.shortcut')).toHaveText([`/horario${stamp}`]);
  await page.getByRole('combobox', { name: 'Category', exact: true }).selectOption('');
  await expect(list.locator('.shortcut')).toHaveCount(2);

  await page.getByText(`Edit /horario${stamp}`).click();
  const edit = page.getByRole('form', { name: `Edit /horario${stamp}` });
  await edit.getByLabel('Text').fill(`Abrimos de 10 a 19 (${stamp}).`);
  await edit.getByRole('button', { name: 'Save quick reply' }).click();
  await expect(list.locator('.reply-text')).toHaveText([`Enviamos en 24 horas (${stamp}).`, `Abrimos de 10 a 19 (${stamp}).`]);

  await page.getByRole('button', { name: `Retire quick reply /envio${stamp}` }).click();
  await expect(list.locator('.shortcut')).toHaveText([`/horario${stamp}`]);
  const left: any[] = await (await page.request.get(`/api/v1/quick-replies?q=${stamp}`)).json();
  expect(left.map((r) => r.shortcut)).toEqual([`horario${stamp}`]);
});
