import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER_NODE_ARGS } from './node-args';

const TSX_ONLY = SERVER_NODE_ARGS.slice(0, 2);

/** A TypeScript program with a type-only import, an enum-free class and a named closure per "connection". */
const PROGRAM = `
import type { IncomingMessage } from 'node:http';
class Counter { count = 0; bump(): number { return ++this.count; } }
const make = () => function onMessage(_req?: IncomingMessage) { return 1; };
const hasFastProperties = new Function('f', 'return %HasFastProperties(f)') as (f: unknown) => boolean;
console.log(JSON.stringify({ fast: hasFastProperties(make()), count: new Counter().bump() }));
`;

describe('how the server runs its TypeScript', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-runtime-'));
  const file = join(dir, 'program.ts');
  writeFileSync(file, PROGRAM);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) =>
    // From an unrelated directory: the arguments must not depend on where the spawner runs.
    JSON.parse(
      execFileSync(process.execPath, ['--allow-natives-syntax', ...args, file], { cwd: dir, encoding: 'utf8' }),
    );

  it('runs TypeScript with named closures kept as fast (non-dictionary) objects', () => {
    expect(run(SERVER_NODE_ARGS)).toEqual({ fast: true, count: 1 });
  });

  it('is needed: tsx alone (keepNames) turns every named closure into a dictionary', () => {
    expect(run(TSX_ONLY)).toEqual({ fast: false, count: 1 });
  });
});
