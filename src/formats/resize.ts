/** Resizing 8-bit RGB: per channel through the robust scheme's separable Lanczos-3 (antialiased when shrinking). */
import { resizePlane } from '../schemes/robust/dct.js';
import type { RgbImage } from './image.js';

/** The size a `width`×`height` photo takes when its long side is brought down to `longSide` (never up). */
export function fittedSize(
  width: number,
  height: number,
  longSide: number | undefined,
): { width: number; height: number } {
  const long = Math.max(width, height);
  if (!longSide || long <= longSide) return { width, height };
  return {
    width: Math.max(1, Math.round((width * longSide) / long)),
    height: Math.max(1, Math.round((height * longSide) / long)),
  };
}

/** `image` resized to `width`×`height`, each channel separately, rounded and clamped to 8 bits. */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  const n = image.width * image.height;
  const out = new Uint8Array(width * height * 3);
  const plane = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) plane[i] = image.data[i * 3 + c]!;
    const resized = resizePlane(plane, image.width, image.height, width, height);
    for (let i = 0; i < width * height; i++) out[i * 3 + c] = Math.max(0, Math.min(255, Math.round(resized[i]!)));
  }
  return { width, height, data: out };
}
