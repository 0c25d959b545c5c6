/** Pre-emphasis of the clip before embedding and the matching de-emphasis after reveal (first-order, y[n] = x[n] − a·x[n−1]). */

/**
 * Pre-emphasis coefficient embed applies (stored in the payload header, so reveal undoes whatever was used).
 * Reveal's error is close to white and speech is not: tilting the clip up before embedding and back after reveal
 * pushes the error down where speech is weak. Both PSNR and SI-SNR improve up to about 0.4 on training data
 * (18.16 dB SI-SNR against 17.54 dB at 0, a tenth of capacity; the sweep is in docs/schemes/neural.md).
 */
export const PRE_EMPHASIS = 0.4;

/** Largest coefficient a header may carry: the de-emphasis pole must stay well inside the unit circle. */
export const MAX_EMPHASIS = 0.95;

/** `x` pre-emphasised with coefficient `a` (a new array): y[n] = x[n] − a·x[n−1], x[−1] = 0. */
export function preEmphasise(x: Float32Array, a: number): Float32Array {
  const y = new Float32Array(x.length);
  let previous = 0;
  for (let n = 0; n < x.length; n++) {
    const v = x[n]!;
    y[n] = v - a * previous;
    previous = v;
  }
  return y;
}

/** Undoes {@link preEmphasise} in place: x[n] = y[n] + a·x[n−1]. A no-op for a = 0 (containers made before emphasis). */
export function deEmphasiseInPlace(y: Float32Array, a: number): Float32Array {
  if (a === 0) return y;
  let previous = 0;
  for (let n = 0; n < y.length; n++) {
    previous = y[n]! + a * previous;
    y[n] = previous;
  }
  return y;
}
