// Types for the workerd test modules (`cloudflare:test`); `cloudflare:workers` and Env come from worker-configuration.d.ts.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
