import { fileURLToPath } from 'node:url';

/**
 * How Node runs Hubbub's server (the `start` script says the same): tsx
 * resolves the TypeScript modules, runtime/register.mjs transforms them
 * without tsx's per-function `keepNames` cost. For the programs that spawn
 * server processes (the cluster starter, the multi-process tests).
 */
export const SERVER_NODE_ARGS = [
  '--import',
  'tsx',
  '--import',
  fileURLToPath(new URL('../runtime/register.mjs', import.meta.url)),
];

export const SERVER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
