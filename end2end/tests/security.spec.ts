import { test, expect, Page } from '@playwright/test';
import { hydrated, signInAsSupervisor } from './session';

/** Adds script the page did not send, in the given shape, and answers the directive the browser
 * names when it refuses it (or 'ran' if it ran). */
async function inject(page: Page, shape: 'inline' | 'link' | 'handler'): Promise<string> {
  return page.evaluate(
    (shape) =>
      new Promise<string>((resolve) => {
        const w = window as unknown as { __ran?: boolean };
        w.__ran = false;
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
        if (shape === 'inline') {
          const script = document.createElement('script');
          script.textContent = 'window.__ran = true';
          document.body.appendChild(script);
        } else if (shape === 'link') {
          const link = document.createElement('a');
          link.href = 'javascript:window.__ran=true';
          link.textContent = 'a stored address';
          document.body.appendChild(link);
          link.click();
        } else {
          const image = document.createElement('img');
          image.setAttribute('onerror', 'window.__ran = true');
          image.src = '/no-such-image';
          document.body.appendChild(image);
        }
        setTimeout(() => resolve(w.__ran ? 'ran' : 'neither ran nor refused'), 2000);
      }),
    shape,
  );
}

for (const [where, open] of [
  ['the sign-in page', async (page: Page) => { await page.goto('/login/supervisor'); }],
  ['the console, signed in', async (page: Page) => { await signInAsSupervisor(page); }],
] as const) {
  test(`${where} works under its policy and runs no script it did not send`, async ({ page }) => {
    await open(page);
    await hydrated(page);
    for (const shape of ['inline', 'link', 'handler'] as const) {
      expect(await inject(page, shape), shape).toMatch(/^script-src/);
    }
  });
}
