/** Which weights serve: R2 first (verified, memoised per version), the bundled copy as the fallback. */
import { StegError } from '../src/util/errors.js';
import {
  BINARY_FILE,
  disposeModel,
  loadWeights,
  MANIFEST_FILE,
  type LoadedModel,
} from '../src/schemes/neural/weights-format.js';
import bundledManifest from '../weights/manifest.json';
import bundledBinary from '../weights/model.bin';
import { ensureBackend } from './tf-backend.js';
import type { ModelAccess } from '../src/pipeline/index.js';
import type { AppEnv, Config } from './config.js';

/** Where the serving weights came from. */
export type WeightsSource = 'r2' | 'bundled';

/** A loaded model and its provenance. */
export interface ServedModel {
  model: LoadedModel;
  source: WeightsSource;
  /** Why the bundled copy serves (R2 object missing, unreadable or failing verification); absent for R2. */
  fallbackReason?: string;
}

/** Reference-counted so a model replaced by a newer version is freed only once the requests using it finish. */
interface Entry {
  served: ServedModel;
  users: number;
  retired: boolean;
}

/** Per R2 prefix: the entry serving now, when R2 was last consulted, and the look-up in flight. */
interface PrefixState {
  current: Entry | null;
  checkedAt: number;
  pending: Promise<Entry> | null;
}

const states = new Map<string, PrefixState>();
/** The bundled model, loaded at most once per isolate (a failure is not cached). */
let bundled: Promise<Entry> | null = null;

/**
 * Runs `fn` with the serving model, loading or refreshing it first when due. R2 is consulted on first use and
 * then at most every `WEIGHTS_RECHECK_SECONDS`; a new version there replaces the one in memory. When R2 has no
 * usable weights the bundled copy serves. Throws StegError('no_weights') when neither loads.
 */
export async function withModel<T>(env: AppEnv, config: Config, fn: (served: ServedModel) => Promise<T>): Promise<T> {
  const entry = await acquire(env, config);
  entry.users++;
  try {
    return await fn(entry.served);
  } finally {
    entry.users--;
    if (entry.retired && entry.users === 0) dispose(entry);
  }
}

/**
 * The serving model as the pipeline takes it: lent for the duration of one scheme call, and only loaded when the
 * request's scheme needs it (a coded request never waits for weights, nor fails for want of them).
 */
export function modelAccess(env: AppEnv, config: Config): ModelAccess {
  return (use) => withModel(env, config, ({ model }) => use(model));
}

async function acquire(env: AppEnv, config: Config): Promise<Entry> {
  await ensureBackend();
  let state = states.get(config.weightsPrefix);
  if (!state) {
    state = { current: null, checkedAt: 0, pending: null };
    states.set(config.weightsPrefix, state);
  }
  if (state.current && Date.now() - state.checkedAt < config.weightsRecheckSeconds * 1000) return state.current;
  const s = state;
  s.pending ??= refresh(env, config, s).finally(() => {
    s.pending = null;
  });
  return s.pending;
}

/** Looks at R2 and returns what should serve now, replacing (and retiring) the previous entry when it changed. */
async function refresh(env: AppEnv, config: Config, state: PrefixState): Promise<Entry> {
  const fromR2 = await tryR2(env, config.weightsPrefix, state.current);
  let next: Entry;
  if (fromR2.ok) {
    next = fromR2.entry;
  } else if (state.current?.served.source === 'r2' && fromR2.transient) {
    // R2 unreachable for a moment: keep the verified R2 model we already have rather than downgrading.
    console.warn(`weights: R2 check failed (${fromR2.reason}); keeping ${state.current.served.model.version} from R2`);
    next = state.current;
  } else {
    let base: Entry;
    try {
      if (config.disableBundledWeights)
        throw new StegError('no_weights', `no usable weights: ${fromR2.reason}, and the bundled copy is disabled`);
      base = await loadBundled();
    } catch (error) {
      if (!state.current) throw error;
      // Nothing better to switch to: keep what serves now (it was verified when it loaded) and look again later.
      console.warn(
        `weights: ${fromR2.reason} and the bundled copy does not load; keeping ${state.current.served.model.version}`,
      );
      state.checkedAt = Date.now();
      return state.current;
    }
    next = { served: { ...base.served, fallbackReason: fromR2.reason }, users: 0, retired: false };
    if (state.current?.served.source !== 'bundled' || state.current.served.fallbackReason !== fromR2.reason) {
      // An empty bucket is the normal state in development; anything else (unreadable, corrupt) is worth a warning.
      const log = fromR2.missing ? console.log : console.warn;
      log(`weights: serving the bundled copy ${base.served.model.version} (${fromR2.reason})`);
    }
  }
  if (state.current && state.current !== next && state.current.served.model !== next.served.model)
    retire(state.current);
  state.current = next;
  state.checkedAt = Date.now();
  return next;
}

type R2Result = { ok: true; entry: Entry } | { ok: false; reason: string; transient: boolean; missing?: boolean };

async function tryR2(env: AppEnv, prefix: string, current: Entry | null): Promise<R2Result> {
  const manifestKey = `${prefix}${MANIFEST_FILE}`;
  const binaryKey = `${prefix}${BINARY_FILE}`;
  let manifestJson: unknown;
  try {
    const object = await env.WEIGHTS.get(manifestKey);
    if (!object) return { ok: false, reason: `R2 has no ${manifestKey}`, transient: false, missing: true };
    manifestJson = JSON.parse(await object.text());
  } catch (error) {
    return { ok: false, reason: `R2 ${manifestKey} unreadable: ${describe(error)}`, transient: true };
  }
  const m = manifestJson as { version?: unknown; sha256?: unknown } | null;
  if (
    current?.served.source === 'r2' &&
    m &&
    m.version === current.served.model.version &&
    m.sha256 === current.served.model.sha256
  )
    return { ok: true, entry: current };
  let binary: Uint8Array;
  try {
    const object = await env.WEIGHTS.get(binaryKey);
    if (!object) return { ok: false, reason: `R2 has no ${binaryKey}`, transient: false };
    binary = new Uint8Array(await object.arrayBuffer());
  } catch (error) {
    return { ok: false, reason: `R2 ${binaryKey} unreadable: ${describe(error)}`, transient: true };
  }
  try {
    const model = await loadWeights(manifestJson, binary);
    console.log(`weights: loaded ${model.version} (sha256 ${model.sha256.slice(0, 12)}…) from R2 ${prefix}`);
    return { ok: true, entry: { served: { model, source: 'r2' }, users: 0, retired: false } };
  } catch (error) {
    return {
      ok: false,
      reason: `R2 weights under ${prefix} failed verification: ${describe(error)}`,
      transient: false,
    };
  }
}

function loadBundled(): Promise<Entry> {
  if (!bundled) {
    bundled = loadWeights(bundledManifest, new Uint8Array(bundledBinary))
      .then((model): Entry => ({ served: { model, source: 'bundled' }, users: 0, retired: false }))
      .catch((error: unknown) => {
        bundled = null;
        throw new StegError('no_weights', `no usable weights: the bundled copy failed to load (${describe(error)})`, {
          cause: error,
        });
      });
  }
  return bundled;
}

function retire(entry: Entry): void {
  // The bundled model is shared by every prefix and lives as long as the isolate.
  if (entry.served.source === 'bundled') return;
  entry.retired = true;
  if (entry.users === 0) dispose(entry);
}

function dispose(entry: Entry): void {
  if (entry.served.source === 'bundled') return;
  disposeModel(entry.served.model);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
