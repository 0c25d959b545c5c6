/** Synthetic test audio for Node tests: a speech-like signal (voiced harmonics, gliding pitch, syllable envelope). */

/**
 * `n` samples at `sampleRate` of a speech-like signal: 12 harmonics of a pitch gliding around 140 Hz with a −6 dB per
 * octave tilt, amplitude-modulated at a 4 Hz syllable rate with short pauses, peak ≈ `peak`. Deterministic in `seed`.
 */
export function speechLike(n: number, sampleRate = 8000, seed = 1, peak = 0.6): Float32Array {
  const out = new Float32Array(n);
  const phases = Array.from(
    { length: 12 },
    (_, h) => (Math.sin(seed * 12.9898 + h * 78.233) * 43758.5453) % (2 * Math.PI),
  );
  let phase = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 25 * Math.sin(2 * Math.PI * 0.7 * t + seed);
    phase += (2 * Math.PI * f0) / sampleRate;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase + phases[h - 1]!) / h;
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t + seed)) ** 2;
    out[i] = v * syllable;
    max = Math.max(max, Math.abs(out[i]!));
  }
  if (max > 0) for (let i = 0; i < n; i++) out[i] = (out[i]! / max) * peak;
  return out;
}
