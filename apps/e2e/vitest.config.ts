import { defineProject } from 'vitest/config';

export default defineProject({
  // A real server and Debian's Chromium per file: page loads and live updates on a loaded 2-core machine.
  test: { name: 'e2e', environment: 'node', testTimeout: 60_000, hookTimeout: 60_000 },
});
