import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The server under test: the release build `make run` serves (scripts/build-site.sh), on its own
// port and a fresh SQLite database, serving the site that script wrote to ../target/site. Its
// clock may be moved forward (`--test-clock`, never in production): the monitor's test makes
// minutes pass.
const port = Number(process.env.E2E_PORT ?? 3100);
const targetDir = process.env.CARGO_TARGET_DIR ?? path.resolve(__dirname, '../target');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ikono-e2e-'));
// The local Meta the WhatsApp test runs: the server reaches Meta's Graph API there.
const metaPort = Number(process.env.E2E_META_PORT ?? port + 1);
process.env.E2E_META_PORT = String(metaPort);

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `${targetDir}/release/server --address 127.0.0.1:${port} --database-url sqlite://${dataDir}/e2e.db --admin-email admin@example.com --admin-password 'correct horse battery' --test-clock true`,
    cwd: path.resolve(__dirname, '..'),
    env: {
      IKONO_SITE_ROOT: path.resolve(__dirname, '../target/site'),
      RUST_LOG: 'warn',
      IKONO_SECRETS_KEY: '6b'.repeat(32),
      IKONO_WHATSAPP_GRAPH_URL: `http://127.0.0.1:${metaPort}`,
    },
    url: `http://127.0.0.1:${port}/healthz`,
    // Its warnings (RUST_LOG=warn: slow requests, the test clock's moves) show beside the tests'.
    stdout: 'pipe',
    timeout: 60_000,
    reuseExistingServer: false,
  },
});
