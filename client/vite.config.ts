import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The portal builds into dist/client, which the gateway serves at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/client', emptyOutDir: true, sourcemap: true },
});
