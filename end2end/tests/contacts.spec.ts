import { test, expect } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

test('a supervisor builds the directory in Spanish: a business, a contact, search, the card, consent and a merge', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.goto('/contacts?lang=es');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Contactos', exact: true })).toBeVisible();

  const stamp = Date.now();
  const business = `Acme ${stamp}`;
  await page.getByRole('textbox', { name: 'Nueva empresa' }).fill(business);
  await page.getByRole('button', { name: 'Crear empresa' }).click();
  await expect(page.getByRole('textbox', { name: `Renombrar ${business}` })).toBeVisible();

  const form = page.getByRole('form', { name: 'Nuevo contacto' });
  await form.getByLabel('Nombre').fill(`Ana López ${stamp}`);
  await form.getByLabel('Número de WhatsApp').fill('12');
  await form.getByRole('button', { name: 'Crear contacto' }).click();
  await expect(page.getByRole('alert')).toContainText('accounts[0]');

  const number = String(600000000 + (stamp % 99999999)).replace(/^(\d{3})(\d{2})(\d{2})(\d{2})$/, '$1 $2 $3 $4');
  await form.getByLabel('Número de WhatsApp').fill(number);
  await form.getByLabel('País (para números sin +)').fill('ES');
  await form.getByRole('button', { name: 'Crear contacto' }).click();
  await expect(page.getByRole('link', { name: 'Guardado.' })).toBeVisible();

  await page.getByLabel('Buscar contactos').fill(`+34 ${number}`);
  const list = page.getByRole('table', { name: 'Contactos' });
  await expect(list.getByRole('row')).toHaveCount(2);
  const e164 = `+34${number.replace(/ /g, '')}`;
  await expect(list).toContainText(`WhatsApp ${e164}`);
  await list.getByRole('link', { name: `Ana López ${stamp}` }).click();

  await expect(page.getByRole('heading', { name: `Ana López ${stamp}` })).toBeVisible();
  await hydrated(page);
  const details = page.getByRole('form', { name: 'Datos' });
  await details.getByLabel('Correo electrónico').fill(`ana${stamp}@example.com`);
  await details.getByLabel('Empresa').selectOption({ label: business });
  await details.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.locator('#contact-business option:checked')).toHaveText(business);

  const consent = page.getByRole('form', { name: 'Permiso para contactarle' });
  await consent.getByLabel('Nivel').selectOption({ label: 'Un canal: WhatsApp' });
  await consent.getByRole('combobox', { name: 'Permiso para contactarle' }).selectOption('no');
  await consent.getByRole('button', { name: 'Registrar' }).click();
  await expect(page.getByRole('list', { name: 'Permisos' })).toContainText('Un canal (whatsapp): Retirado');
  await expect(page.getByRole('list', { name: 'Cuentas' })).toContainText('Retirado');

  const duplicate = await page.request.post('/api/v1/contacts', {
    data: { name: `Ana L. ${stamp}`, accounts: [{ channel: 'instagram', id: `ana.${stamp}` }] },
  });
  expect(duplicate.status()).toBe(201);
  await page.getByLabel('Buscar el duplicado').fill(`ana.${stamp}`);
  await page.getByRole('button', { name: `Unir a este contacto Ana L. ${stamp}` }).click();
  await expect(page.getByRole('list', { name: 'Cuentas' })).toContainText(`Instagram ana.${stamp}`);
  await expect(page.getByRole('list', { name: 'Unidos a este contacto' })).toContainText(`Ana L. ${stamp}`);
  await page.getByRole('button', { name: `Deshacer la unión de Ana L. ${stamp}` }).click();
  await expect(page.getByRole('list', { name: 'Unidos a este contacto' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Cuentas' })).not.toContainText(`Instagram ana.${stamp}`);
  await page.getByLabel('Buscar el duplicado').fill(`ana.${stamp}`);
  await page.getByRole('button', { name: `Unir a este contacto Ana L. ${stamp}` }).click();
  await expect(page.getByRole('list', { name: 'Cuentas' })).toContainText(`Instagram ana.${stamp}`);

  await page.goto(`/contacts?lang=en`);
  await expect(page.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Search contacts').fill(`ana.${stamp}`);
  await expect(page.getByRole('table', { name: 'Contacts' }).getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('table', { name: 'Contacts' })).toContainText(`Ana López ${stamp}`);
});

test('a supervisor imports a Google Contacts file, reads what became of each row, and exports the directory', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.goto('/contacts');
  await hydrated(page);
  const stamp = Date.now();
  const phone = (n: number) => `+34 6${String((stamp + n) % 100000000).padStart(8, '0')}`;
  const google = [
    'First Name,Middle Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name',
    `Imported,,One ${stamp},* Other,one${stamp}@example.com,Mobile,${phone(1)},Initech ${stamp}`,
    `Broken,,Row ${stamp},,,Mobile,call me maybe,`,
    `Imported,,Two ${stamp},,,Mobile,${phone(2)} ::: ${phone(3)},`,
  ].join('\n');
  await page.getByLabel("Import a file: CSV (ours or Google Contacts') or Excel").setInputFiles({
    name: 'google.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(google),
  });
  await expect(page.getByRole('status')).toHaveText('2 created · 0 already there · 1 refused');
  await expect(page.getByRole('list', { name: 'refused' })).toContainText('Row 3: "call me maybe" is not a phone number');

  await page.getByLabel('Search contacts').fill(`${stamp}`);
  await expect(page.getByRole('table', { name: 'Contacts' })).toContainText(`Imported Two ${stamp}`);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export for Google Contacts' }).click();
  const file = await (await download).path();
  const exported = require('node:fs').readFileSync(file, 'utf8');
  expect(exported.split('\n')[0]).toBe('First Name,Last Name,Notes,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name');
  expect(exported).toContain(`Imported,One ${stamp},,* Other,one${stamp}@example.com,Mobile,`);
});

test('a supervisor previews a file of consents, is refused while a row is wrong, then stores it', async ({ page }) => {
  await signInAsSupervisor(page);
  await page.goto('/contacts');
  await hydrated(page);
  const stamp = Date.now();
  const number = (n: number) => `6${String((stamp + n) % 100000000).padStart(8, '0')}`;
  await page.locator('#consent-country').fill('ES');
  const file = (rows: string[]) => ({ name: 'consents.csv', mimeType: 'text/csv', buffer: Buffer.from(['Name,Phone,Consent', ...rows].join('\n')) });
  const chooser = page.locator('#consent-file');
  await chooser.setInputFiles(file([`Consent ${stamp},${number(1)},yes`, `Wrong ${stamp},12,yes`]));
  const preview = page.getByRole('table', { name: 'Consent from a file' });
  await expect(preview).toContainText(`+34${number(1)}`);
  await expect(preview).toContainText('new contact');
  await expect(preview).toContainText('"12" is not a phone number');
  await expect(page.getByRole('alert')).toHaveText('Nothing is stored while a row is refused: fix the file and choose it again.');
  await expect(page.getByRole('button', { name: 'Store these consents' })).toHaveCount(0);

  await chooser.setInputFiles(file([`Consent ${stamp},${number(1)},yes`, `Withdrawn ${stamp},${number(2)},no`]));
  await expect(page.locator('.consent-summary')).toHaveText('2 to record · 2 new contacts · 0 refused');
  await page.getByRole('button', { name: 'Store these consents' }).click();
  await expect(page.locator('.consent-stored')).toHaveText('Stored: 2 to record · 2 new contacts');

  await page.getByLabel('Search contacts').fill(`Withdrawn ${stamp}`);
  await page.getByRole('link', { name: `Withdrawn ${stamp}` }).click();
  await expect(page.getByRole('list', { name: 'Accounts' }).locator('.consent')).toHaveText('Withdrawn');
});

test('a large import shows its progress bar until its report', async ({ page }) => {
  test.setTimeout(240_000);
  await signInAsSupervisor(page);
  await page.goto('/contacts');
  await hydrated(page);
  const stamp = Date.now();
  const rows = 3000;
  const lines = ['Name,WhatsApp'];
  // Spanish mobile numbers (6 and eight digits) are all valid, whatever the stamp makes of them.
  for (let n = 0; n < rows; n++) lines.push(`Bulk ${stamp} ${n},+34 68${String((stamp + n) % 10000000).padStart(7, '0')}`);
  await page.getByLabel("Import a file: CSV (ours or Google Contacts') or Excel").setInputFiles({
    name: 'bulk.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(lines.join('\n')),
  });
  const bar = page.getByRole('progressbar', { name: 'Importing…' });
  await expect(bar).toHaveAttribute('max', `${rows}`);
  await expect(page.locator('.import-rows')).toHaveText(new RegExp(`^[0-9]+ / ${rows}$`));
  await expect(page.locator('.import-report')).toHaveText(`${rows} created · 0 already there · 0 refused`, { timeout: 200_000 });
  await expect(bar).toHaveCount(0);
});

test('a supervisor names who looks after a contact from the card: an agent, then a group, then nobody', async ({ page }) => {
  await signInAsSupervisor(page);
  const api = page.request;
  const stamp = Date.now();
  const made = await api.post('/api/v1/agents', { data: { name: `Owner ${stamp}`, email: `owner${stamp}@example.com`, password: 'agent password' } });
  const agent = (await made.json()).user_id;
  const queue = (await (await api.post('/api/v1/queues', { data: { name: `Key accounts ${stamp}` } })).json()).id;
  const created = await api.post('/api/v1/contacts', { data: { name: `Cliente ${stamp}`, accounts: [{ channel: 'api', id: `c${stamp}` }] } });
  expect(created.status()).toBe(201);
  const contact = (await created.json()).id;

  await page.goto(`/contacts/${contact}`);
  await hydrated(page);
  await expect(page.locator('.contact-owner')).toHaveText('Nobody in particular');
  const form = page.getByRole('form', { name: 'Who looks after this contact' });
  await form.getByLabel('Who looks after this contact').selectOption({ label: `Agent: Owner ${stamp}` });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.contact-owner')).toHaveText(`Agent: Owner ${stamp}`);
  expect((await (await api.get(`/api/v1/contacts/${contact}`)).json()).contact.owner).toEqual({ kind: 'agent', id: agent });

  await form.getByLabel('Who looks after this contact').selectOption({ label: `Group: Key accounts ${stamp}` });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.contact-owner')).toHaveText(`Group: Key accounts ${stamp}`);
  expect((await (await api.get(`/api/v1/contacts/${contact}`)).json()).contact.owner).toEqual({ kind: 'group', id: queue });

  await form.getByLabel('Who looks after this contact').selectOption({ label: 'Nobody in particular' });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('.contact-owner')).toHaveText('Nobody in particular');
});
