// Types for the workerd test modules (`cloudflare:test`); `cloudflare:workers` and Env come from worker-configuration.d.ts.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Vite's `?raw` imports: a file's text, for pages workerd cannot read from disk (the assets are not served in tests).
declare module '*?raw' {
  const text: string;
  export default text;
}
