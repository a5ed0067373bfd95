import { defineConfig } from 'vitest/config';

// Measurement programs (`*.measure.ts`): they print figures and take minutes; `pnpm test` never runs them.
export default defineConfig({
  test: { include: ['src/**/*.measure.ts'], environment: 'node', testTimeout: 600_000 },
});
