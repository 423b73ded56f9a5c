import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The workspace's speed in Chromium (`make bench-browser`): the same server and browser as the
// browser tests, but the benchmarks of ./bench, which `make test` never runs (no wall-clock
// assertion there). They print their figures; docs/BENCHMARKS.md records them.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  timeout: 600_000,
});
