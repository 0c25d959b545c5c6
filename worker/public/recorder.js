// Microphone recording in the page: MediaRecorder captures, Web Audio decodes, and the clip becomes a 16-bit mono WAV.
import { encodeWav16 } from './wav.js';

/** Sample rate of recorded clips: the server resamples to 8 kHz, and 16 kHz keeps the upload small without aliasing. */
const RECORD_RATE = 16000;

/** Whether this browser can record here (needs a secure context: https or localhost). */
export function canRecord() {
  return Boolean(
    globalThis.isSecureContext &&
    navigator.mediaDevices?.getUserMedia &&
    globalThis.MediaRecorder &&
    globalThis.OfflineAudioContext,
  );
}

/**
 * Starts recording from the microphone.
 * @returns {Promise<{ stop: () => Promise<File>, cancel: () => void }>} stop() ends it and gives the clip as a WAV file
 * @throws {Error} with a message in words when there is no microphone or access is refused
 */
export async function startRecording() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
  } catch (err) {
    const name = err && err.name;
    if (name === 'NotAllowedError' || name === 'SecurityError')
      throw new Error('Microphone access was refused. Allow it in the browser’s site settings, or choose a WAV file.');
    if (name === 'NotFoundError' || name === 'OverconstrainedError')
      throw new Error('No microphone was found. Choose a WAV file instead.');
    if (name === 'NotReadableError')
      throw new Error('The microphone is busy in another program. Close it there, or choose a WAV file.');
    throw new Error(`The microphone could not be opened (${name || err}).`);
  }
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  recorder.addEventListener('dataavailable', (e) => {
    if (e.data.size) chunks.push(e.data);
  });
  const stopped = new Promise((resolve, reject) => {
    recorder.addEventListener('stop', () => resolve(undefined));
    recorder.addEventListener('error', (e) =>
      reject(new Error(`Recording failed (${e.error?.name || 'unknown error'}).`)),
    );
  });
  const release = () => stream.getTracks().forEach((t) => t.stop());
  recorder.start();
  return {
    async stop() {
      if (recorder.state !== 'inactive') recorder.stop();
      try {
        await stopped;
      } finally {
        release();
      }
      const recorded = new Blob(chunks, { type: recorder.mimeType || 'audio/webm' });
      return toWavFile(recorded);
    },
    cancel() {
      if (recorder.state !== 'inactive') recorder.stop();
      release();
    },
  };
}

/** Decodes a recorded blob (WebM/Opus, MP4/AAC, Ogg…) and re-encodes it as 16-bit mono WAV at {@link RECORD_RATE}. */
async function toWavFile(blob) {
  if (!blob.size) throw new Error('The recording is empty. Check that the microphone works and try again.');
  // decodeAudioData resamples to the context's rate with the browser's own high-quality resampler.
  const context = new OfflineAudioContext(1, 1, RECORD_RATE);
  let audio;
  try {
    audio = await context.decodeAudioData(await blob.arrayBuffer());
  } catch {
    throw new Error('The recording could not be decoded by this browser. Choose a WAV file instead.');
  }
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    const channel = audio.getChannelData(c);
    for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / audio.numberOfChannels;
  }
  const wav = encodeWav16(mono, audio.sampleRate);
  return new File([wav], 'recording.wav', { type: 'audio/wav' });
}
