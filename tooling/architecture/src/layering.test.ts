/**
 * The workspace's layering, read from every import of every source file by
 * dependency-cruiser: apps depend on packages, never the reverse, and no file
 * imports itself through others (type-only imports count: they tangle the
 * modules all the same).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';

const workspace = fileURLToPath(new URL('../../../', import.meta.url));
const brokenOnPurpose = fileURLToPath(new URL('../fixtures/broken/', import.meta.url));

const PACKAGE_IMPORTS_APP = 'package-imports-app';
const IMPORT_CYCLE = 'import-cycle';

/** The package names of the workspaces under apps/ (read from disk, so a new app is covered as it comes). */
function appPackageNames(root: string): string[] {
  return readdirSync(join(root, 'apps'), { withFileTypes: true })
    .map((entry) => join(root, 'apps', entry.name, 'package.json'))
    .filter((manifest) => existsSync(manifest))
    .map((manifest) => (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Cruises `root`'s apps/, packages/ and tooling/ against the two rules; `appNames` are refused by name too. */
async function cruiseLayering(root: string, appNames: string[]): Promise<ICruiseResult> {
  const appByName = appNames.map(escapeRegExp).join('|');
  const result = await cruise(
    ['apps', 'packages', 'tooling'].filter((dir) => existsSync(join(root, dir))),
    {
      baseDir: root,
      validate: true,
      ruleSet: {
        forbidden: [
          {
            name: PACKAGE_IMPORTS_APP,
            comment: 'apps depend on packages, never the reverse',
            severity: 'error',
            from: { path: '^packages/' },
            // A resolved import lands under apps/; an unresolved one is known by its name alone.
            to: { path: appByName ? `^(apps/|(${appByName})(/|$))` : '^apps/' },
          },
          { name: IMPORT_CYCLE, severity: 'error', from: {}, to: { circular: true } },
        ],
      },
      // Workspace packages resolve through their node_modules links to their real folders, and are followed there.
      doNotFollow: { path: 'node_modules' },
      exclude: { path: ['node_modules', '/dist/', '^tooling/architecture/fixtures/'] },
      tsPreCompilationDeps: true,
      enhancedResolveOptions: {
        exportsFields: ['exports'],
        conditionNames: ['import', 'node', 'default'],
        extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      },
    },
  );
  return result.output as ICruiseResult;
}

/** The files of a cycle violation, from its first back to it. */
const cycleFiles = (violation: IViolation) => [violation.from, ...(violation.cycle ?? []).map((step) => step.name)];

/** A violation as a line a person can act on: the import, or the whole cycle. */
const described = (violation: IViolation) =>
  violation.cycle?.length ? cycleFiles(violation).join(' → ') : `${violation.from} → ${violation.to}`;

const broken = (result: ICruiseResult, rule: string) =>
  result.summary.violations.filter((violation) => violation.rule.name === rule).map(described);

describe('the layering of this workspace', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseLayering(workspace, appPackageNames(workspace));
  });

  it('reads every workspace, and follows imports across them to the real files', () => {
    expect(appPackageNames(workspace)).toEqual(expect.arrayContaining(['@hubbub/server', '@hubbub/web']));
    const benchServer = result.modules.find((module) => module.source === 'apps/bench/src/servers/hubbub.ts');
    const resolved = benchServer?.dependencies.map((dependency) => dependency.resolved);
    expect(resolved).toEqual(expect.arrayContaining(['packages/api/src/index.ts', 'apps/server/src/hubbub.ts']));
  });

  it('no file under packages/ imports an app, by path or by package name', () => {
    expect(broken(result, PACKAGE_IMPORTS_APP)).toEqual([]);
  });

  it('no import cycle among the source files', () => {
    expect(broken(result, IMPORT_CYCLE)).toEqual([]);
  });
});

describe('the rules find what they forbid (a workspace laid out wrong on purpose)', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseLayering(brokenOnPurpose, ['@hubbub/server']);
  });

  it('a package importing an app by path and by package name', () => {
    expect(broken(result, PACKAGE_IMPORTS_APP).sort()).toEqual([
      'packages/lib/reaches-into-app.js → @hubbub/server/hubbub',
      'packages/lib/reaches-into-app.js → apps/app/main.js',
    ]);
  });

  it('two files importing each other', () => {
    expect(broken(result, IMPORT_CYCLE)).toContain(
      'packages/lib/first.js → packages/lib/second.js → packages/lib/first.js',
    );
  });
});
