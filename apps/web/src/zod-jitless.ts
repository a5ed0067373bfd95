import { z } from 'zod';

// zod probes for `new Function` when its first schema is built; under the page's
// Content-Security-Policy (no 'unsafe-eval') that probe is a reported violation.
// Imported first by main.tsx, before any schema (those of @hubbub/core) exists.
z.config({ jitless: true });
