/** Ensemble classifier for steganalysis (Kodovský, Fridrich, Holub 2012): bagged Fisher linear discriminants on random feature subspaces, majority vote. */
import { mulberry32 } from '../../src/util/rng.js';

/** Options of {@link trainEnsemble}. */
export interface EnsembleOptions {
  /**
   * Subspace dimension, or `'auto'` (default): the lowest out-of-bag error among a few candidates, the paper's own
   * criterion (it searches d_sub by OOB error too). The best value depends on the features and the training-set size;
   * on the benchmark the search picked 43–125 on average, varying by case and split.
   */
  dSub?: number | 'auto';
  /**
   * Number of base learners (default 51, odd so a majority always exists). On the benchmark (200 covers, 10 splits)
   * L = 101 moved mean AUC by +0.004 / +0.001 / +0.002 on ±1 LSBM, LSBR and HILL+STC at 0.4 bpc, for twice the time.
   */
  L?: number;
  /**
   * Ridge added to the within-class scatter, relative to its mean diagonal (default 1e-2). The paper adds a small λ
   * when the scatter is ill-conditioned, as it often is with ~100 training pairs and d_sub up to 172. On the
   * benchmark (±1 LSBM / LSBR / HILL+STC at 0.4 bpc) mean AUC was 0.735 / 0.821 / 0.626 at λ = 1e-6, 0.739 / 0.824 /
   * 0.626 at 1e-4, 0.740 / 0.824 / 0.634 at 1e-3 and 0.747 / 0.837 / 0.642 at 1e-2: best in all three, though by
   * less than the splits' standard deviation (0.015–0.03).
   */
  lambda?: number;
  /** Seed of the subspace and bootstrap draws (default 1). */
  seed?: number;
  /** Candidate d_sub values for `'auto'` (default: d/32, d/16, d/8, d/4, capped by twice the training pairs). */
  dSubCandidates?: number[];
}

/** One Fisher linear discriminant on a feature subspace. */
export interface BaseLearner {
  /** Feature indices of the subspace. */
  subspace: Uint32Array;
  /** Projection vector over the subspace. */
  w: Float64Array;
  /** Decision threshold: stego when w·x > threshold. */
  threshold: number;
  /** Standard deviation of the training projections, to put margins of different learners on one scale. */
  scale: number;
}

/** A trained ensemble. */
export interface Ensemble {
  learners: BaseLearner[];
  /** Feature dimension it was trained on. */
  dim: number;
  /** The subspace dimension used. */
  dSub: number;
  /** Out-of-bag error estimate (min-P_E style: (P_FA + P_MD)/2 at the majority vote) of the final ensemble. */
  oobError: number;
  /** Per-candidate OOB errors when `dSub` was `'auto'`. */
  search: { dSub: number; oobError: number }[];
}

/** Scores of {@link ensembleScores}. */
export interface EnsembleScores {
  /** Fraction of base learners voting "stego" (majority vote = votes > 0.5). */
  votes: Float64Array;
  /** Mean normalised margin (w·x − threshold)/scale over learners. */
  margin: Float64Array;
  /** `votes` with ties broken by `margin` (added as a term smaller than 1/L): a continuous score for ROC/AUC. */
  score: Float64Array;
}

/** In-place Cholesky of a symmetric positive-definite d×d matrix (row-major, lower triangle); false if not PD. */
function cholesky(a: Float64Array, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const rj = j * d;
    let s = a[rj + j]!;
    for (let k = 0; k < j; k++) s -= a[rj + k]! * a[rj + k]!;
    if (!(s > 0)) return false;
    const l = Math.sqrt(s);
    a[rj + j] = l;
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      let t = a[ri + j]!;
      for (let k = 0; k < j; k++) t -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = t / l;
    }
  }
  return true;
}

/** Solves L·Lᵀ·x = b in place given the Cholesky factor from {@link cholesky}. */
function cholSolve(a: Float64Array, d: number, b: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * d + k]! * b[k]!;
    b[i] = s / a[i * d + i]!;
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < d; k++) s -= a[k * d + i]! * b[k]!;
    b[i] = s / a[i * d + i]!;
  }
}

/**
 * The threshold minimising (P_FA + P_MD)/2 on the given projections, the paper's rule for each base learner (a
 * midpoint between the two classes' means would be wrong whenever their spreads differ).
 */
function bestThreshold(pc: Float64Array, ps: Float64Array): number {
  const all: { v: number; stego: boolean }[] = [];
  for (const v of pc) all.push({ v, stego: false });
  for (const v of ps) all.push({ v, stego: true });
  all.sort((p, q) => p.v - q.v);
  // Threshold below everything: every sample called stego → P_FA = 1, P_MD = 0.
  let fa = pc.length;
  let md = 0;
  let best = 0.5 * (fa / pc.length + md / ps.length);
  let thr = all.length ? all[0]!.v - 1 : 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i]!.stego) md++;
    else fa--;
    if (i + 1 < all.length && all[i + 1]!.v === all[i]!.v) continue;
    const e = 0.5 * (fa / pc.length + md / ps.length);
    if (e < best) {
      best = e;
      thr = i + 1 < all.length ? 0.5 * (all[i]!.v + all[i + 1]!.v) : all[i]!.v + 1;
    }
  }
  return thr;
}

interface TrainRun {
  learners: BaseLearner[];
  oobError: number;
}

function trainRun(
  cover: Float64Array[],
  stego: Float64Array[],
  dim: number,
  dSub: number,
  L: number,
  lambda: number,
  seed: number,
): TrainRun {
  const rand = mulberry32(seed);
  const nc = cover.length;
  const ns = stego.length;
  const paired = nc === ns;
  const learners: BaseLearner[] = [];
  const oobVotesC = new Float64Array(nc);
  const oobCountC = new Float64Array(nc);
  const oobVotesS = new Float64Array(ns);
  const oobCountS = new Float64Array(ns);
  const perm = new Uint32Array(dim);
  for (let i = 0; i < dim; i++) perm[i] = i;
  for (let l = 0; l < L; l++) {
    // Random subspace: the first dSub entries of a partial Fisher–Yates shuffle.
    for (let i = 0; i < dSub; i++) {
      const j = i + Math.floor(rand() * (dim - i));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    const sub = perm.slice(0, dSub).sort();
    // Bootstrap by pair (cover and its stego stay together, as in the paper), so OOB samples are pairs the learner never saw.
    const inBagC = new Uint32Array(nc);
    const inBagS = new Uint32Array(ns);
    const bagC: number[] = [];
    const bagS: number[] = [];
    for (let i = 0; i < nc; i++) {
      const k = Math.floor(rand() * nc);
      bagC.push(k);
      inBagC[k]!++;
      if (paired) {
        bagS.push(k);
        inBagS[k]!++;
      }
    }
    if (!paired) {
      for (let i = 0; i < ns; i++) {
        const k = Math.floor(rand() * ns);
        bagS.push(k);
        inBagS[k]!++;
      }
    }
    const project = (x: Float64Array, w: Float64Array) => {
      let s = 0;
      for (let a = 0; a < dSub; a++) s += w[a]! * x[sub[a]!]!;
      return s;
    };
    const mean = (set: Float64Array[], bag: number[]) => {
      const mu = new Float64Array(dSub);
      for (const k of bag) {
        const x = set[k]!;
        for (let a = 0; a < dSub; a++) mu[a]! += x[sub[a]!]!;
      }
      for (let a = 0; a < dSub; a++) mu[a]! /= bag.length;
      return mu;
    };
    const muC = mean(cover, bagC);
    const muS = mean(stego, bagS);
    const sw = new Float64Array(dSub * dSub);
    const z = new Float64Array(dSub);
    const scatter = (set: Float64Array[], bag: number[], mu: Float64Array) => {
      for (const k of bag) {
        const x = set[k]!;
        for (let a = 0; a < dSub; a++) z[a] = x[sub[a]!]! - mu[a]!;
        for (let a = 0; a < dSub; a++) {
          const za = z[a]!;
          if (za === 0) continue;
          const row = a * dSub;
          for (let b = 0; b <= a; b++) sw[row + b]! += za * z[b]!;
        }
      }
    };
    scatter(cover, bagC, muC);
    scatter(stego, bagS, muS);
    let trace = 0;
    for (let a = 0; a < dSub; a++) trace += sw[a * dSub + a]!;
    let ridge = lambda * (trace / dSub || 1);
    const w = new Float64Array(dSub);
    for (let attempt = 0; ; attempt++) {
      const m = sw.slice();
      for (let a = 0; a < dSub; a++) m[a * dSub + a]! += ridge;
      if (cholesky(m, dSub)) {
        for (let a = 0; a < dSub; a++) w[a] = muS[a]! - muC[a]!;
        cholSolve(m, dSub, w);
        break;
      }
      if (attempt > 20) throw new Error('FLD: within-class scatter not positive definite even with a large ridge.');
      ridge = ridge * 10 || 1e-12; // the paper's rule: increase λ until the matrix is well-conditioned
    }
    const pc = Float64Array.from(bagC, (k) => project(cover[k]!, w));
    const ps = Float64Array.from(bagS, (k) => project(stego[k]!, w));
    const threshold = bestThreshold(pc, ps);
    let m1 = 0;
    let m2 = 0;
    for (const v of [...pc, ...ps]) {
      m1 += v;
      m2 += v * v;
    }
    const cnt = pc.length + ps.length;
    const scale = Math.sqrt(Math.max(m2 / cnt - (m1 / cnt) ** 2, 1e-300));
    learners.push({ subspace: sub, w, threshold, scale });
    for (let k = 0; k < nc; k++) {
      if (inBagC[k]) continue;
      oobCountC[k]!++;
      if (project(cover[k]!, w) > threshold) oobVotesC[k]!++;
    }
    for (let k = 0; k < ns; k++) {
      if (inBagS[k]) continue;
      oobCountS[k]!++;
      if (project(stego[k]!, w) > threshold) oobVotesS[k]!++;
    }
  }
  let fa = 0;
  let nfa = 0;
  let md = 0;
  let nmd = 0;
  for (let k = 0; k < nc; k++) {
    if (oobCountC[k]! === 0) continue;
    nfa++;
    if (oobVotesC[k]! > oobCountC[k]! / 2) fa++;
  }
  for (let k = 0; k < ns; k++) {
    if (oobCountS[k]! === 0) continue;
    nmd++;
    if (oobVotesS[k]! <= oobCountS[k]! / 2) md++;
  }
  const oobError = 0.5 * (nfa ? fa / nfa : 0.5) + 0.5 * (nmd ? md / nmd : 0.5);
  return { learners, oobError };
}

/**
 * Trains the ensemble on cover and stego feature vectors (equal lengths: stego[k] is assumed to come from cover[k],
 * and the bootstrap keeps such pairs together; unequal counts are bagged separately).
 */
export function trainEnsemble(cover: Float64Array[], stego: Float64Array[], options: EnsembleOptions = {}): Ensemble {
  if (cover.length < 2 || stego.length < 2)
    throw new RangeError('trainEnsemble needs at least two samples of each class.');
  const dim = cover[0]!.length;
  for (const x of [...cover, ...stego]) if (x.length !== dim) throw new RangeError('Feature vectors differ in length.');
  const L = options.L ?? 51;
  const lambda = options.lambda ?? 1e-2;
  const seed = options.seed ?? 1;
  const search: { dSub: number; oobError: number }[] = [];
  let dSub: number;
  if (options.dSub === undefined || options.dSub === 'auto') {
    const cap = Math.max(2, 2 * Math.min(cover.length, stego.length));
    const candidates = (options.dSubCandidates ?? [dim / 32, dim / 16, dim / 8, dim / 4])
      .map((v) => Math.max(1, Math.min(dim, cap, Math.round(v))))
      .filter((v, i, a) => a.indexOf(v) === i);
    // A shorter ensemble is enough to rank candidates: OOB error differences between d_sub values dwarf its noise at L ≈ 25.
    const Ls = Math.min(L, 25);
    let best = { dSub: candidates[0]!, oobError: Infinity };
    for (const d of candidates) {
      const r = trainRun(cover, stego, dim, d, Ls, lambda, seed + 7919 * d);
      search.push({ dSub: d, oobError: r.oobError });
      if (r.oobError < best.oobError) best = { dSub: d, oobError: r.oobError };
    }
    dSub = best.dSub;
  } else {
    dSub = Math.max(1, Math.min(dim, Math.round(options.dSub)));
  }
  const run = trainRun(cover, stego, dim, dSub, L, lambda, seed);
  return { learners: run.learners, dim, dSub, oobError: run.oobError, search };
}

/** Scores feature vectors with a trained ensemble; larger = more likely stego. */
export function ensembleScores(model: Ensemble, features: Float64Array[]): EnsembleScores {
  const n = features.length;
  const votes = new Float64Array(n);
  const margin = new Float64Array(n);
  const L = model.learners.length;
  for (let i = 0; i < n; i++) {
    const x = features[i]!;
    if (x.length !== model.dim)
      throw new RangeError(`Feature vector ${i} has ${x.length} entries, the model ${model.dim}.`);
    let v = 0;
    let mg = 0;
    for (const b of model.learners) {
      let s = 0;
      for (let a = 0; a < b.subspace.length; a++) s += b.w[a]! * x[b.subspace[a]!]!;
      if (s > b.threshold) v++;
      mg += (s - b.threshold) / b.scale;
    }
    votes[i] = v / L;
    margin[i] = mg / L;
  }
  const score = new Float64Array(n);
  const eps = 0.5 / L; // strictly below one vote's weight, so ordering by votes is kept
  for (let i = 0; i < n; i++) score[i] = votes[i]! + (eps * margin[i]!) / (1 + Math.abs(margin[i]!));
  return { votes, margin, score };
}
