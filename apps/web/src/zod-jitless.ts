import { config } from 'zod/v4/core';

// zod probes for `new Function` when its first schema is built; under the page's
// Content-Security-Policy (no 'unsafe-eval') that probe is a reported violation.
// Imported first by main.tsx, before any schema (those of @hubbub/core) exists;
// only zod's tiny config module, so zod itself stays out of the first page.
config({ jitless: true });
