import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress';
import { prerender } from './prerender';

// The dev server forwards API traffic to a locally running Hubbub (pnpm start / dev).
// No changeOrigin: the server accepts a WebSocket upgrade when Origin matches Host,
// and keeping the browser's Host header is what makes that true through the proxy.
const target = 'http://localhost:3000';

export default defineConfig({
  plugins: [react(), prerender(), precompress()],
  server: {
    proxy: {
      '/trpc': { target },
      '/ws': { target, ws: true },
      '/api': { target },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
