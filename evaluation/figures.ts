/** Evaluation figures as PNG, drawn with plain JS into RGB buffers: cover/container/diff panels, waveforms, spectrograms. */
import { fftOfLength } from '../src/audio/fft.js';
import { encodePng, type RgbImage } from '../src/formats/image.js';
import { StegError } from '../src/util/errors.js';

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [170, 170, 170];
const LIGHT: Rgb = [225, 225, 225];
/** Matplotlib's tab:blue and tab:orange: distinguishable for most colour-blind readers. */
const BLUE: Rgb = [31, 119, 180];
const ORANGE: Rgb = [255, 127, 14];

/** 5×7 bitmap glyphs, one string per row, '#' = ink. Lower case is drawn as upper case. */
const FONT: Record<string, string[]> = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
  '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
  '|': ['..#..', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  '/': ['.....', '....#', '...#.', '..#..', '.#...', '#....', '.....'],
  '(': ['...#.', '..#..', '.#...', '.#...', '.#...', '..#..', '...#.'],
  ')': ['.#...', '..#..', '...#.', '...#.', '...#.', '..#..', '.#...'],
  '%': ['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##'],
  '=': ['.....', '.....', '#####', '.....', '#####', '.....', '.....'],
  '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
};

/** An RGB drawing surface with just what the figures need. */
export class Canvas implements RgbImage {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = WHITE,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  /** Blends `color` over pixel (x, y) with opacity `alpha`; off-canvas points are ignored. */
  plot(x: number, y: number, color: Rgb, alpha = 1): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    for (let c = 0; c < 3; c++) this.data[i + c] = Math.round(this.data[i + c]! * (1 - alpha) + color[c]! * alpha);
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.plot(xx, yy, color, alpha);
    }
  }

  /** Straight line (DDA), both ends included. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++)
      this.plot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, color, alpha);
  }

  /** Text in the 5×7 font, top-left at (x, y), each font pixel `scale`×`scale`. Unknown characters draw as blanks. */
  text(x: number, y: number, str: string, color: Rgb = BLACK, scale = 1): void {
    let cx = x;
    for (const ch of str.toUpperCase()) {
      const glyph = FONT[ch];
      if (glyph) {
        glyph.forEach((row, gy) => {
          for (let gx = 0; gx < 5; gx++)
            if (row[gx] === '#') this.rect(cx + gx * scale, y + gy * scale, scale, scale, color);
        });
      }
      cx += 6 * scale;
    }
  }

  /** Copies `image` with its top-left at (x, y), each pixel enlarged `scale`×`scale` (nearest neighbour). */
  blit(image: RgbImage, x: number, y: number, scale = 1): void {
    for (let sy = 0; sy < image.height * scale; sy++) {
      const ty = y + sy;
      if (ty < 0 || ty >= this.height) continue;
      for (let sx = 0; sx < image.width * scale; sx++) {
        const tx = x + sx;
        if (tx < 0 || tx >= this.width) continue;
        const s = (Math.floor(sy / scale) * image.width + Math.floor(sx / scale)) * 3;
        const d = (ty * this.width + tx) * 3;
        this.data[d] = image.data[s]!;
        this.data[d + 1] = image.data[s + 1]!;
        this.data[d + 2] = image.data[s + 2]!;
      }
    }
  }

  toPng(): Uint8Array {
    return encodePng({ width: this.width, height: this.height, data: this.data });
  }
}

/** Width in pixels of `str` in the 5×7 font at `scale`. */
export function textWidth(str: string, scale = 1): number {
  return str.length === 0 ? 0 : (str.length * 6 - 1) * scale;
}

/** |a − b| per channel, multiplied by `gain` and clipped to 255. */
export function amplifiedDiff(a: RgbImage, b: RgbImage, gain: number): RgbImage {
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.abs(a.data[i]! - b.data[i]!) * gain);
  return { width: a.width, height: a.height, data };
}

/**
 * Four panels side by side: cover | container | |diff|×10 | |diff|×50, each titled. Images narrower than 128 px
 * (CIFAR) are enlarged by a whole factor so the panels are visible. Returns the figure as an RGB image.
 */
export function renderCoverContainer(cover: RgbImage, container: RgbImage): Canvas {
  if (
    cover.width !== container.width ||
    cover.height !== container.height ||
    cover.data.length !== container.data.length
  ) {
    throw new StegError('bad_request', 'coverContainerFigure: cover and container differ in size.');
  }
  const scale = cover.width < 128 ? Math.ceil(128 / cover.width) : 1;
  const pw = cover.width * scale;
  const ph = cover.height * scale;
  const gap = 8;
  const fontScale = pw >= 300 ? 2 : 1;
  const top = 8 + 7 * fontScale + 6;
  const panels: Array<[string, RgbImage]> = [
    ['cover', cover],
    ['container', container],
    ['|diff| x10', amplifiedDiff(cover, container, 10)],
    ['|diff| x50', amplifiedDiff(cover, container, 50)],
  ];
  const canvas = new Canvas(gap + panels.length * (pw + gap), top + ph + gap);
  panels.forEach(([title, image], i) => {
    const x = gap + i * (pw + gap);
    canvas.text(x + Math.max(0, (pw - textWidth(title, fontScale)) >> 1), 8, title, BLACK, fontScale);
    canvas.blit(image, x, top, scale);
  });
  return canvas;
}

/** {@link renderCoverContainer} encoded as PNG. */
export function coverContainerFigure(cover: RgbImage, container: RgbImage): Uint8Array {
  return renderCoverContainer(cover, container).toPng();
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving at most `maxTicks` ticks over `span`. */
function tickStep(span: number, maxTicks: number): number {
  const raw = span / maxTicks;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (× 10^k) that is ≥ v: round axis limits. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v * (1 - 1e-9)) return m * p;
  return 10 * p;
}

function formatSeconds(t: number, step: number): string {
  if (step < 0.1) return `${Math.round(t * 1000)}ms`;
  return `${Number(t.toFixed(step < 1 ? 1 : 0))}s`;
}

interface PlotArea {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Draws two signals over samples [from, to) into `area`, y from −range to +range, with axes and time ticks. */
function plotSignals(
  canvas: Canvas,
  area: PlotArea,
  signals: Array<{ samples: Float32Array; color: Rgb; alpha: number }>,
  from: number,
  to: number,
  range: number,
  sampleRate: number,
): void {
  const { x, y, w, h } = area;
  const mid = y + h / 2;
  const toY = (v: number) => mid - (Math.max(-range, Math.min(range, v)) / range) * (h / 2 - 1);
  // frame, zero line and y labels
  canvas.line(x, y, x, y + h - 1, BLACK);
  canvas.line(x, y + h - 1, x + w - 1, y + h - 1, BLACK);
  canvas.line(x, mid, x + w - 1, mid, LIGHT);
  const label = (v: number) => String(Number(v.toPrecision(3)));
  for (const v of [range, 0, -range]) {
    const ty = Math.round(toY(v));
    canvas.line(x - 4, ty, x, ty, BLACK);
    const s = label(v);
    canvas.text(x - 6 - textWidth(s), Math.max(0, Math.min(canvas.height - 7, ty - 3)), s, BLACK);
  }
  // time ticks
  const t0 = from / sampleRate;
  const t1 = to / sampleRate;
  const step = tickStep(t1 - t0, 8);
  for (let t = Math.ceil(t0 / step) * step; t <= t1 + 1e-9; t += step) {
    const tx = Math.round(x + ((t - t0) / (t1 - t0)) * (w - 1));
    canvas.line(tx, y + h - 1, tx, y + h + 3, BLACK);
    const s = formatSeconds(t, step);
    canvas.text(Math.min(canvas.width - textWidth(s), Math.max(0, tx - (textWidth(s) >> 1))), y + h + 6, s, BLACK);
  }
  const n = to - from;
  for (const { samples, color, alpha } of signals) {
    if (n <= w) {
      // few samples: connect the points
      for (let i = from; i < to - 1; i++) {
        const xa = x + ((i - from) / Math.max(1, n - 1)) * (w - 1);
        const xb = x + ((i + 1 - from) / Math.max(1, n - 1)) * (w - 1);
        canvas.line(xa, toY(samples[i] ?? 0), xb, toY(samples[i + 1] ?? 0), color, alpha);
      }
    } else {
      // many samples per column: draw each column's min..max, joined to the previous column's last value
      let prev: number | null = null;
      for (let c = 0; c < w; c++) {
        const a = from + Math.floor((c * n) / w);
        const b = Math.max(a + 1, from + Math.floor(((c + 1) * n) / w));
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = a; i < b; i++) {
          const v = samples[i] ?? 0;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        if (prev !== null) {
          lo = Math.min(lo, prev);
          hi = Math.max(hi, prev);
        }
        prev = samples[b - 1] ?? 0;
        const ya = Math.round(toY(hi));
        const yb = Math.round(toY(lo));
        for (let yy = ya; yy <= yb; yy++) canvas.plot(x + c, yy, color, alpha);
      }
    }
  }
}

/** Start of the `length`-sample window with the most energy in `samples` (hop length/4). */
function loudestWindow(samples: Float32Array, length: number): number {
  if (samples.length <= length) return 0;
  let best = 0;
  let bestEnergy = -1;
  const hop = Math.max(1, length >> 2);
  for (let s = 0; s + length <= samples.length; s += hop) {
    let e = 0;
    for (let i = s; i < s + length; i++) e += samples[i]! * samples[i]!;
    if (e > bestEnergy) {
      bestEnergy = e;
      best = s;
    }
  }
  return best;
}

/** Options for {@link waveformFigure}. */
export interface WaveformOptions {
  /** Figure width in pixels. Default 1000. */
  width?: number;
  /** Title drawn top left. */
  title?: string;
  /** Add a second panel zoomed on the loudest `zoomMs` of the original (0 = none). Default 40 ms. */
  zoomMs?: number;
}

/**
 * Waveform overlay of `original` (blue) and `revealed` (orange, drawn over it, semi-transparent) on a common symmetric
 * amplitude scale, with a legend, time axis, and a zoomed panel on the loudest 40 ms where single samples are visible.
 */
export function renderWaveform(
  original: Float32Array,
  revealed: Float32Array,
  sampleRate: number,
  options: WaveformOptions = {},
): Canvas {
  if (original.length === 0 || !(sampleRate > 0))
    throw new StegError('bad_request', 'waveformFigure: empty signal or bad sample rate.');
  const width = Math.max(300, options.width ?? 1000);
  const zoomLength = Math.round(((options.zoomMs ?? 40) / 1000) * sampleRate);
  const showZoom = zoomLength >= 2 && zoomLength < original.length;
  const panelH = 220;
  const left = 44;
  const right = 12;
  const top = 26;
  const below = 26;
  const height = top + panelH + below + (showZoom ? 22 + panelH + below : 0);
  const canvas = new Canvas(width, height);
  let peak = 0;
  for (const s of [original, revealed]) for (let i = 0; i < s.length; i++) peak = Math.max(peak, Math.abs(s[i]!) || 0);
  const range = peak > 0 ? niceCeil(peak) : 1;
  const signals = [
    { samples: original, color: BLUE, alpha: 1 },
    { samples: revealed, color: ORANGE, alpha: 0.7 },
  ];
  const n = Math.max(original.length, revealed.length);
  if (options.title) canvas.text(left, 8, options.title, BLACK);
  // legend, top right
  let lx = width - right - textWidth('original') - textWidth('revealed') - 50;
  for (const [name, color] of [
    ['original', BLUE],
    ['revealed', ORANGE],
  ] as const) {
    canvas.rect(lx, 8, 14, 7, color);
    canvas.text(lx + 18, 8, name, BLACK);
    lx += 18 + textWidth(name) + 14;
  }
  const plotW = width - left - right;
  plotSignals(canvas, { x: left, y: top, w: plotW, h: panelH }, signals, 0, n, range, sampleRate);
  if (showZoom) {
    const start = loudestWindow(original, zoomLength);
    const zy = top + panelH + below + 22;
    // mark the zoomed window on the overview
    const ax = left + (start / n) * (plotW - 1);
    const bx = left + ((start + zoomLength) / n) * (plotW - 1);
    canvas.rect(Math.round(ax), top, Math.max(1, Math.round(bx - ax)), panelH - 1, GREY, 0.3);
    canvas.text(left, zy - 14, `zoom: ${options.zoomMs ?? 40} ms at ${(start / sampleRate).toFixed(2)} s`, BLACK);
    plotSignals(canvas, { x: left, y: zy, w: plotW, h: panelH }, signals, start, start + zoomLength, range, sampleRate);
  }
  return canvas;
}

/** {@link renderWaveform} encoded as PNG. */
export function waveformFigure(
  original: Float32Array,
  revealed: Float32Array,
  sampleRate: number,
  options: WaveformOptions = {},
): Uint8Array {
  return renderWaveform(original, revealed, sampleRate, options).toPng();
}

/** STFT frame length and hop used by {@link spectrogram}. */
export const STFT_SIZE = 256;
export const STFT_HOP = 64;

/**
 * Log-magnitude STFT: periodic Hann window of {@link STFT_SIZE}, hop {@link STFT_HOP}, the signal zero-padded at the
 * end to whole frames. Returns `frames` rows of `STFT_SIZE/2 + 1` bins, each 20·log10(|X| + 1e-10) dB.
 */
export function spectrogram(samples: Float32Array): { frames: number; bins: number; db: Float64Array } {
  const N = STFT_SIZE;
  const bins = N / 2 + 1;
  const frames = Math.max(1, Math.ceil(Math.max(0, samples.length - N) / STFT_HOP) + 1);
  const db = new Float64Array(frames * bins);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < N; i++) {
      re[i] = (samples[f * STFT_HOP + i] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
      im[i] = 0;
    }
    fftOfLength(N)(re, im);
    for (let k = 0; k < bins; k++) db[f * bins + k] = 20 * Math.log10(Math.hypot(re[k]!, im[k]!) + 1e-10);
  }
  return { frames, bins, db };
}

/** Viridis, sampled at 9 points and interpolated linearly: perceptually ordered, readable in grey. */
const VIRIDIS: Rgb[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Colour of `t` in [0, 1] on the viridis map. */
export function viridis(t: number): Rgb {
  const u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f].map(
    Math.round,
  ) as unknown as Rgb;
}

/** Options for {@link spectrogramFigure}. */
export interface SpectrogramOptions {
  /** Dynamic range shown below the common maximum, in dB. Default 80. */
  rangeDb?: number;
  /** Maximum width of the spectrogram panels in pixels. Default 1000. */
  maxWidth?: number;
}

/**
 * Two spectrograms stacked, original above revealed, on one dB scale (the loudest bin of either is 0 dB, `rangeDb`
 * below is the floor), viridis colours, frequency axis 0 … sampleRate/2, time axis, and a colour bar.
 */
export function renderSpectrograms(
  original: Float32Array,
  revealed: Float32Array,
  sampleRate: number,
  options: SpectrogramOptions = {},
): Canvas {
  if (original.length === 0 || !(sampleRate > 0))
    throw new StegError('bad_request', 'spectrogramFigure: empty signal or bad sample rate.');
  const specs = [spectrogram(original), spectrogram(revealed)];
  const rangeDb = options.rangeDb ?? 80;
  let max = -Infinity;
  for (const s of specs) for (const v of s.db) max = Math.max(max, v);
  const floor = max - rangeDb;
  const frames = Math.max(specs[0]!.frames, specs[1]!.frames);
  const pw = Math.max(200, Math.min(options.maxWidth ?? 1000, frames));
  const ph = 2 * specs[0]!.bins;
  const left = 44;
  const right = 70;
  const title = 16;
  const below = 24;
  const canvas = new Canvas(left + pw + right, 2 * (title + ph + below) + 4);
  const nyquist = sampleRate / 2;
  specs.forEach((spec, p) => {
    const y0 = p * (title + ph + below) + title;
    canvas.text(left, y0 - 12, p === 0 ? 'original' : 'revealed', BLACK);
    for (let x = 0; x < pw; x++) {
      // several frames per column: show the loudest, so short events are not lost
      const fa = Math.floor((x * frames) / pw);
      const fb = Math.max(fa + 1, Math.floor(((x + 1) * frames) / pw));
      for (let y = 0; y < ph; y++) {
        const k = Math.floor(((ph - 1 - y) * spec.bins) / ph);
        let v = -Infinity;
        for (let f = fa; f < Math.min(fb, spec.frames); f++) v = Math.max(v, spec.db[f * spec.bins + k]!);
        canvas.plot(left + x, y0 + y, v === -Infinity ? viridis(0) : viridis((v - floor) / rangeDb));
      }
    }
    // frequency axis
    const fstep = tickStep(nyquist, 4);
    for (let f = 0; f <= nyquist + 1e-9; f += fstep) {
      const ty = Math.round(y0 + ph - 1 - (f / nyquist) * (ph - 1));
      canvas.line(left - 4, ty, left - 1, ty, BLACK);
      const s = f >= 1000 ? `${Number((f / 1000).toFixed(1))}k` : `${f}`;
      canvas.text(left - 6 - textWidth(s), Math.max(0, ty - 3), s, BLACK);
    }
    // time axis
    const seconds = (frames * STFT_HOP) / sampleRate;
    const tstep = tickStep(seconds, 8);
    for (let t = 0; t <= seconds + 1e-9; t += tstep) {
      const tx = Math.round(left + (t / seconds) * (pw - 1));
      canvas.line(tx, y0 + ph, tx, y0 + ph + 3, BLACK);
      const s = formatSeconds(t, tstep);
      canvas.text(Math.max(0, tx - (textWidth(s) >> 1)), y0 + ph + 6, s, BLACK);
    }
  });
  canvas.text(left - 30, 2, 'hz', BLACK);
  // colour bar
  const bx = left + pw + 12;
  const by = title;
  const bh = ph;
  for (let y = 0; y < bh; y++) canvas.rect(bx, by + y, 12, 1, viridis(1 - y / (bh - 1)));
  canvas.text(bx + 16, by, '0 db', BLACK);
  canvas.text(bx + 16, by + bh - 7, `-${rangeDb} db`, BLACK);
  return canvas;
}

/** {@link renderSpectrograms} encoded as PNG. */
export function spectrogramFigure(
  original: Float32Array,
  revealed: Float32Array,
  sampleRate: number,
  options: SpectrogramOptions = {},
): Uint8Array {
  return renderSpectrograms(original, revealed, sampleRate, options).toPng();
}
