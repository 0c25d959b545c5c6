// Worker tests: run inside workerd through @cloudflare/vitest-pool-workers (0.23, vitest 4 plugin API), R2 via miniflare.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    // Computes the Node pipeline's outputs for the parity test (in a plain Node process); reads the hostile-input
    // corpus (test/corpus/) for workerd, which has no file system.
    globalSetup: ['test/worker/global-setup.ts', 'test/worker/corpus-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
