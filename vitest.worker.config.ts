// Worker tests: run inside workerd through @cloudflare/vitest-pool-workers (0.23, vitest 4 plugin API), R2 via miniflare.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // A second limiter with a limit of 3 per minute, for test/worker/rate-limit.test.ts: the binding's limit is
      // fixed in its configuration, so a test cannot lower RATE_LIMITER's 20 through env overrides.
      miniflare: { ratelimits: { TEST_RATE_LIMITER: { namespace_id: '9001', simple: { limit: 3, period: 60 } } } },
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
