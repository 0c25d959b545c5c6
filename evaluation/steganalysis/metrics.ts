/** Detector metrics for steganalysis: ROC AUC and the minimum average error P_E = min over thresholds of (P_FA + P_MD)/2. */

/**
 * Area under the ROC curve of scores where larger means "stego": the probability that a random stego sample scores
 * above a random cover sample, ties counting one half (Mann–Whitney U / (n_c·n_s)). 0.5 = chance.
 */
export function auc(coverScores: ArrayLike<number>, stegoScores: ArrayLike<number>): number {
  const nc = coverScores.length;
  const ns = stegoScores.length;
  if (nc === 0 || ns === 0) throw new RangeError('auc needs at least one score of each class.');
  const all: { v: number; stego: boolean }[] = [];
  for (let i = 0; i < nc; i++) all.push({ v: coverScores[i]!, stego: false });
  for (let i = 0; i < ns; i++) all.push({ v: stegoScores[i]!, stego: true });
  all.sort((a, b) => a.v - b.v);
  // Sum of stego ranks with mid-ranks for ties.
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.v === all[i]!.v) j++;
    const mid = (i + 1 + j) / 2; // ranks i+1..j
    for (let k = i; k < j; k++) if (all[k]!.stego) rankSum += mid;
    i = j;
  }
  return (rankSum - (ns * (ns + 1)) / 2) / (nc * ns);
}

/**
 * P_E = min over thresholds t of (P_FA(t) + P_MD(t))/2, deciding "stego" when score > t, where every threshold between
 * distinct scores (and beyond both ends) is tried. 0.5 = chance, 0 = perfect separation.
 */
export function minPe(coverScores: ArrayLike<number>, stegoScores: ArrayLike<number>): number {
  const nc = coverScores.length;
  const ns = stegoScores.length;
  if (nc === 0 || ns === 0) throw new RangeError('minPe needs at least one score of each class.');
  const all: { v: number; stego: boolean }[] = [];
  for (let i = 0; i < nc; i++) all.push({ v: coverScores[i]!, stego: false });
  for (let i = 0; i < ns; i++) all.push({ v: stegoScores[i]!, stego: true });
  all.sort((a, b) => a.v - b.v);
  let fa = nc; // threshold below all: everything is called stego
  let md = 0;
  let best = 0.5 * (fa / nc + md / ns);
  for (let i = 0; i < all.length; i++) {
    if (all[i]!.stego) md++;
    else fa--;
    if (i + 1 < all.length && all[i + 1]!.v === all[i]!.v) continue; // cannot split equal scores
    best = Math.min(best, 0.5 * (fa / nc + md / ns));
  }
  return best;
}

/** Mean and (sample) standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}
