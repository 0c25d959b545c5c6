// Node-side tests: shared code, codecs, kernels, training, CLI. Worker tests have their own config (workerd pool).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
