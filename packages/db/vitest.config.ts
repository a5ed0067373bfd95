import { defineProject } from 'vitest/config';

export default defineProject({
  // Real PostgreSQL with several pools racing: a few seconds alone, more on a loaded CI machine.
  test: { name: 'db', environment: 'node', testTimeout: 20_000 },
});
