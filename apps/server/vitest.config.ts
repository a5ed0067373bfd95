import { defineProject } from 'vitest/config';

export default defineProject({
  // Real servers on real sockets: a loaded CI machine needs more than vitest's 5 s default per test.
  test: { name: 'server', environment: 'node', testTimeout: 15_000, hookTimeout: 30_000 },
});
