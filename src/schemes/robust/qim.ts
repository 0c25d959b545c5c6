/** The robust scheme's modulation: binary dither modulation (QIM) of single DCT coefficients, with soft read-out. */

/**
 * Moves coefficient `c` to the nearest point of bit `bit`'s lattice {dither + bit·step/2 + k·step}. A JPEG
 * re-quantisation error below step/4 leaves the bit readable by nearest-lattice decoding.
 */
export function qimEmbed(c: number, bit: number, step: number, dither: number): number {
  const off = dither + (bit ? step / 2 : 0);
  return step * Math.round((c - off) / step) + off;
}

/**
 * Soft read-out of a coefficient: cos(2π·(c − dither)/step), +1 on the bit-0 lattice, −1 on the bit-1 lattice, 0
 * halfway. Its expected value shrinks smoothly as noise grows, so summing it over repeats and feeding it to the
 * Viterbi decoder behaves like a log-likelihood ratio without having to know the noise level.
 */
export function qimSoft(c: number, step: number, dither: number): number {
  return Math.cos((2 * Math.PI * (c - dither)) / step);
}
