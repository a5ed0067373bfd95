/** Module hooks (see register.mjs): the project's .ts files, transformed by esbuild as tsc would emit them. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const OWN_TYPESCRIPT = /^file:\/\/(?!.*\/node_modules\/).*\.m?ts$/;

export async function load(url, context, nextLoad) {
  if (!OWN_TYPESCRIPT.test(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: file,
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
