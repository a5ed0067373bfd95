import { defineProject } from 'vitest/config';

export default defineProject({
  // One cruise reads every source file of the workspace: seconds, more on a loaded machine.
  test: { name: 'architecture', environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 },
});
