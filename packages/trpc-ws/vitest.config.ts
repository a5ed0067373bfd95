import { defineProject } from 'vitest/config';

export default defineProject({
  // Real sockets on a loaded CI machine: more than vitest's 5 s default per test.
  test: { name: 'trpc-ws', environment: 'node', testTimeout: 15_000 },
});
