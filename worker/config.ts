/** The worker's configuration: wrangler vars and secrets parsed once per request, with documented defaults. */
import type { MiddlewareHandler } from 'hono';
import { DEFAULT_LIMITS, type Limits } from '../src/pipeline/limits.js';

/**
 * The bindings `wrangler types` generates (worker-configuration.d.ts) plus the optional ones it cannot see: the `API_TOKEN`
 * secret, and a test-only switch that turns off the bundled fallback so the 503 path can be exercised. The rate
 * limiter is optional: deleting its `[[ratelimits]]` block from wrangler.toml turns rate limiting off.
 */
export type AppEnv = Omit<Env, 'RATE_LIMITER'> & {
  RATE_LIMITER?: RateLimit;
  API_TOKEN?: string;
  /** Test-only: when "1", the bundled weights never serve, so a missing R2 object gives 503 no_weights. */
  TEST_ONLY_DISABLE_BUNDLED_WEIGHTS?: string;
};

/** Default request body cap: 16 MiB (a 1024×1024 PNG plus ten minutes of 8 kHz audio fit well inside). */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Default R2 key prefix of the weights objects. */
export const DEFAULT_WEIGHTS_PREFIX = 'stegavox/default/';
/** Default interval after which R2 is consulted again for a new weights version (or for weights at all). */
export const DEFAULT_WEIGHTS_RECHECK_SECONDS = 60;

/** Parsed configuration. */
export interface Config {
  weightsPrefix: string;
  weightsRecheckSeconds: number;
  maxBodyBytes: number;
  limits: Limits;
  /** Allowed origins, or "*" for any. */
  corsOrigins: '*' | string[];
  /** Bearer token embed and reveal require; null when none is configured. */
  apiToken: string | null;
  disableBundledWeights: boolean;
}

/** Hono's environment for every handler: the bindings, and the configuration parsed once per request. */
export interface AppContext {
  Bindings: AppEnv;
  Variables: { config: Config };
}

/** Middleware that parses the configuration once per request; handlers read it with `c.get('config')`. */
export function withConfig(): MiddlewareHandler<AppContext> {
  return async (c, next) => {
    c.set('config', readConfig(c.env));
    await next();
  };
}

/** Reads the configuration from the bindings; unset or malformed numbers fall back to the defaults. */
export function readConfig(env: AppEnv): Config {
  const origins = (env.CORS_ORIGINS ?? '*').trim();
  return {
    weightsPrefix: env.WEIGHTS_PREFIX ?? DEFAULT_WEIGHTS_PREFIX,
    weightsRecheckSeconds: number(env.WEIGHTS_RECHECK_SECONDS, DEFAULT_WEIGHTS_RECHECK_SECONDS, 0),
    maxBodyBytes: number(env.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, 1),
    limits: {
      maxPixels: number(env.MAX_PIXELS, DEFAULT_LIMITS.maxPixels, 1),
      maxAudioSeconds: number(env.MAX_AUDIO_SECONDS, DEFAULT_LIMITS.maxAudioSeconds, 0.001),
      maxHighPixels: DEFAULT_LIMITS.maxHighPixels,
      maxPhotoPixels: number(env.MAX_PHOTO_PIXELS, DEFAULT_LIMITS.maxPhotoPixels!, 1),
    },
    corsOrigins:
      origins === '' || origins === '*'
        ? '*'
        : origins
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    apiToken: env.API_TOKEN ? env.API_TOKEN : null,
    disableBundledWeights: env.TEST_ONLY_DISABLE_BUNDLED_WEIGHTS === '1',
  };
}

function number(value: string | number | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= min ? n : fallback;
}
