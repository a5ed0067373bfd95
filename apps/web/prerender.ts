import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { build, createServer, type Plugin } from 'vite';
import type { FirstPageHtml } from './src/first-page/render';

const ROOT_PLACEHOLDER = '<div id="root"></div>';
const SCRIPT_ENTRY = 'src/first-page/first-page-script.ts';
const RENDER_MODULE = '/src/first-page/render.tsx';

/**
 * Puts the sign-in page in index.html at build time, so a visitor on a slow
 * line can type and submit before React's bundle arrives:
 * - <template>s hold the log-in and sign-up forms and the splash as React
 *   renders them (react-dom/server, through Vite's SSR: the same components,
 *   one source of markup);
 * - an inline classic script (src/first-page/first-page-script.ts, bundled
 *   here) puts the form (or, for someone signed in, the splash) in #root
 *   before the first paint and runs it until main.tsx hydrates it. The server allows it by
 *   its hash (apps/server/src/http/static-files.ts), not by 'unsafe-inline'.
 */
export function prerender(): Plugin {
  let root = process.cwd();
  return {
    name: 'hubbub-prerender',
    apply: 'build',
    configResolved(config) {
      root = config.root;
    },
    transformIndexHtml: {
      order: 'post',
      async handler(html) {
        if (!html.includes(ROOT_PLACEHOLDER)) throw new Error(`index.html has no ${ROOT_PLACEHOLDER}`);
        const [pages, script] = await Promise.all([renderPages(root), bundleScript(root)]);
        const templates = (['login', 'signup', 'splash'] as const)
          .map((name) => `<template id="first-page-${name}">${pages[name]}</template>`)
          .join('');
        return html.replace(ROOT_PLACEHOLDER, () => `${ROOT_PLACEHOLDER}${templates}<script>${script}</script>`);
      },
    },
  };
}

/** The first screens, rendered by src/first-page/render.tsx in a throwaway SSR server. */
async function renderPages(root: string): Promise<FirstPageHtml> {
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'warn',
    appType: 'custom',
    plugins: [react()],
    server: { middlewareMode: true, hmr: false, ws: false },
  });
  try {
    const module = (await server.ssrLoadModule(RENDER_MODULE)) as typeof import('./src/first-page/render');
    return module.renderFirstPage();
  } finally {
    await server.close();
  }
}

/** The first-page script as one minified IIFE, ready to inline. */
async function bundleScript(root: string): Promise<string> {
  const output = await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      write: false,
      minify: true,
      emptyOutDir: false,
      lib: { entry: resolve(root, SCRIPT_ENTRY), formats: ['iife'], name: 'hubbubFirstPageScript' },
      // lib/time's module-level date formatters (imported by lib/errors) are not needed before React: no side effect to keep.
      rolldownOptions: { treeshake: { manualPureFunctions: ['Intl.DateTimeFormat'] } },
    },
  });
  const result = Array.isArray(output) ? output[0] : output;
  const chunk = result && 'output' in result ? result.output[0] : undefined;
  if (chunk?.type !== 'chunk') throw new Error('the first-page script did not build');
  // Inline, a "</script" or "<!--" in the code would end or confuse the script element.
  if (/<\/script|<!--/i.test(chunk.code)) throw new Error('the first-page script contains </script or <!--');
  return chunk.code.trim();
}
