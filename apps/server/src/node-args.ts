import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How Node runs Hubbub's server (the `start` script says the same): tsx
 * resolves the TypeScript modules, runtime/register.mjs transforms them
 * without tsx's per-function `keepNames` cost. For the programs that spawn
 * server processes (the cluster starter, the multi-process tests, the bench);
 * tsx is resolved from here, so they may run from any directory.
 */
export const SERVER_NODE_ARGS = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  '--import',
  new URL('../runtime/register.mjs', import.meta.url).href,
];

export const SERVER_MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
