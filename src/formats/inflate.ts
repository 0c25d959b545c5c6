/** Size-bounded zlib inflate of untrusted data on the platform's own zlib (`DecompressionStream`), with a trap check. */

/** Compressed bytes handed to the inflater at once: bounds the work done past any limit to one slice. */
const INFLATE_SLICE = 64 * 1024;
/**
 * Deflate never writes much more than a byte of stream per byte of data (stored blocks add 5 bytes per 64 KiB, fixed
 * Huffman 1/8 at worst), so a stream that has consumed more than 4× its output plus this slack is a trap: thousands
 * of empty blocks, each declaring 15-bit codes, produce nothing while costing table builds (fflate, which this
 * replaced, spent 0.6 s on 142 kB of them; zlib 0.78 s on 12 MB). The slack covers a stored block (up to 64 KiB)
 * held before any of it comes out and the slice being written. Checked after each slice once the output has caught
 * up with what was written, so such a stream is refused after about 160 kB of it.
 */
const INFLATE_TRAP_SLACK = 160 * 1024;

/** Waits (each until output arrives or a timer turn passes) the trap check allows queued input before judging. */
const CATCH_UP_TURNS = 64;

/** Resolves on a later task (a timer), after pending I/O and native callbacks have had their turn. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What a failed inflate says; the caller wraps it in its own format's error. */
export type InflateFailure = 'corrupt' | 'truncated' | 'surplus' | 'trap';

/** Thrown by {@link inflateBounded}; `got` bytes had come out when it stopped. */
export class InflateError extends Error {
  constructor(
    readonly reason: InflateFailure,
    readonly got: number,
    options?: { cause?: unknown },
  ) {
    super(`inflate failed: ${reason} after ${got} bytes`, options);
  }
}

/**
 * Inflates a zlib stream given as `parts` (e.g. a PNG's IDAT payloads) with the runtime's native zlib
 * (`DecompressionStream('deflate')`: C++ zlib in workerd, browsers and Node), feeding it one slice at a time and
 * keeping only what the caller allows, so memory follows the data actually produced, never a header's claim.
 *
 * Returns exactly `expected` bytes, or with `needed` < `expected` the first `needed` bytes as soon as they are out
 * (the rest of the stream is neither inflated nor checked). Up to `expected + 65536` surplus bytes are tolerated and
 * dropped (some encoders write a little more). Throws {@link InflateError}: `surplus` past that, `trap` for a stream
 * that consumes far more than it produces, `truncated` when it ends early, `corrupt` for anything zlib refuses
 * before the wanted bytes are out (damage after them, e.g. a bad checksum, is ignored).
 */
export async function inflateBounded(
  parts: readonly Uint8Array[],
  expected: number,
  needed = expected,
): Promise<Uint8Array> {
  let compressed = 0;
  for (const p of parts) compressed += p.length;
  // Grows by doubling up to `needed`; starts from a guess tied to the compressed size, not to the header.
  let out = new Uint8Array(Math.min(needed, 4 * compressed + 65536));
  let len = 0;
  let excess = 0;
  const maxExcess = expected + 65536;

  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let failure: unknown = null;
  let stop = false;
  // Wakes the writer when output arrives (or the drain ends), so waiting for the inflater costs no timer turns.
  let wake: (() => void) | null = null;
  const progressed = () => new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    wake?.();
    wake = null;
  };
  const keep = (chunk: Uint8Array) => {
    const take = Math.min(needed - len, chunk.length);
    excess += chunk.length - take;
    if (take <= 0) return;
    if (len + take > out.length) {
      const grown = new Uint8Array(Math.min(needed, Math.max(out.length * 2, len + take)));
      grown.set(out.subarray(0, len));
      out = grown;
    }
    out.set(take === chunk.length ? chunk : chunk.subarray(0, take), len);
    len += take;
  };
  // The output is drained concurrently: a stream that produces faster than it is read would otherwise stall the writer.
  const draining = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        keep(value);
        notify();
        if ((len >= needed && needed < expected) || excess > maxExcess) {
          // Cancelling also fails a write waiting on this side, so the writer never blocks on output nobody reads.
          await reader.cancel().catch(() => {});
          return;
        }
      }
    } catch (e) {
      failure ??= e;
    } finally {
      stop = true;
      notify();
    }
  })();

  let trapped = false;
  let finished = false;
  let consumed = 0;
  const starved = () => !stop && consumed > 4 * (len + excess) + INFLATE_TRAP_SLACK;
  try {
    for (const slice of slices(parts, compressed - ADLER_BYTES)) {
      if (stop) break;
      await writer.write(slice as Uint8Array<ArrayBuffer>);
      consumed += slice.length;
      // A write can be accepted before the inflater has run on it (workerd queues writes), so output lags behind what
      // was written: let it catch up before calling the stream a trap.
      for (let turn = 0; turn < CATCH_UP_TURNS && starved(); turn++) await Promise.race([progressed(), nextTask()]);
      if (starved()) {
        trapped = true;
        break;
      }
    }
    if (!stop && !trapped) await writer.close();
    finished = !trapped;
  } catch (e) {
    failure ??= e;
  }
  // A trap, or a write that failed first: release the native stream without waiting for the rest.
  if (!finished) await writer.abort().catch(() => {});
  await draining;
  writer.closed.catch(() => {});
  reader.closed.catch(() => {});

  if (trapped) throw new InflateError('trap', len);
  if (excess > maxExcess) throw new InflateError('surplus', len);
  if (len >= needed) return out; // grown to exactly `needed`: never past it
  if (failure !== null)
    throw new InflateError(looksTruncated(failure) ? 'truncated' : 'corrupt', len, { cause: failure });
  throw new InflateError('truncated', len);
}

/** Bytes of the Adler-32 checksum that ends a zlib stream. */
const ADLER_BYTES = 4;

/**
 * `parts` as slices of at most {@link INFLATE_SLICE} bytes, with a cut at `split`: zlib drops the output of a write
 * that ends in an error, so the checksum goes in a write of its own and a bad one cannot take the last pixels with it.
 */
function* slices(parts: readonly Uint8Array[], split: number): Generator<Uint8Array> {
  let at = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length;) {
      const end = Math.min(part.length, i + INFLATE_SLICE, at < split ? i + (split - at) : part.length);
      yield part.subarray(i, end);
      at += end - i;
      i = end;
    }
  }
}

/** Whether zlib's complaint is about the input running out (its wording differs between runtimes). */
function looksTruncated(e: unknown): boolean {
  return /unexpected end|end of file|incomplete|truncat|premature/i.test(String((e as Error)?.message ?? e));
}
