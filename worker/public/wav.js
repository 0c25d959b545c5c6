// WAV in the browser: read a file's header (to show its length before upload) and write 16-bit PCM mono.

/**
 * Reads a RIFF/WAVE header. Only the header has to be present: the sample data may be cut off.
 * @param {ArrayBuffer} buffer the file, or its first part
 * @returns {{ encoding: 'pcm' | 'float', bitsPerSample: number, channels: number, sampleRate: number, frames: number, seconds: number }}
 * @throws {Error} with a message in words when the bytes are not a WAV file this service takes
 */
export function parseWavInfo(buffer) {
  const view = new DataView(buffer);
  const tag = (at) =>
    String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
  if (view.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('it is not a WAV file');
  let fmt = null;
  for (let at = 12; at + 8 <= view.byteLength;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > view.byteLength) throw new Error('its format chunk is damaged');
      let code = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format code in the first two bytes of its sub-format GUID.
      if (code === 0xfffe && size >= 26 && body + 26 <= view.byteLength) code = view.getUint16(body + 24, true);
      fmt = {
        code,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('its data comes before its format chunk');
      const encoding = fmt.code === 1 ? 'pcm' : fmt.code === 3 ? 'float' : null;
      if (!encoding) throw new Error(`its sample format (code ${fmt.code}) is not PCM or float`);
      if (!fmt.channels || !fmt.sampleRate || !fmt.blockAlign) throw new Error('its header says 0 channels or 0 Hz');
      const frames = Math.floor(size / fmt.blockAlign);
      return {
        encoding,
        bitsPerSample: fmt.bitsPerSample,
        channels: fmt.channels,
        sampleRate: fmt.sampleRate,
        frames,
        seconds: frames / fmt.sampleRate,
      };
    }
    at = body + size + (size & 1);
  }
  throw new Error(fmt ? 'it has no audio data' : 'it has no format chunk');
}

/**
 * Encodes mono samples in [-1, 1] as a 16-bit PCM WAV file.
 * @param {Float32Array} samples
 * @param {number} sampleRate
 * @returns {ArrayBuffer}
 */
export function encodeWav16(samples, sampleRate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (at, s) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] || 0));
    view.setInt16(44 + i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return buffer;
}
