// Stegavox page behaviour: previews, capacity and fit as files are chosen, recording, and fetch submits with errors in words.
import { parseWavInfo } from './wav.js';
import { canRecord, startRecording } from './recorder.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** Bytes of an audio file read to find its header; WAV headers sit at the start. */
const WAV_HEADER_BYTES = 1 << 20;

/** "0.84 s", "12.3 s", "2 min 05 s". */
function formatSeconds(seconds) {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${String(Math.floor(seconds - m * 60)).padStart(2, '0')} s`;
}

function formatBytes(n) {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KB` : `${(n / (1 << 20)).toFixed(1)} MB`;
}

/** Sets a status line's text and whether it reports a problem. */
function setStatus(el, text, bad = false) {
  el.textContent = text;
  el.classList.toggle('bad', bad);
}

/** Shows (or, with null, hides) an error box: a bold title and the server's detail. */
function showError(el, problem) {
  el.replaceChildren();
  el.hidden = !problem;
  if (!problem) return;
  const title = document.createElement('strong');
  title.textContent = problem.title;
  el.append(title);
  // The space keeps title and detail apart in the element's text (what screen readers and copy-paste get).
  if (problem.detail) el.append(` ${problem.detail}`);
}

/** Turns a failed response into { title, detail }, reading application/problem+json when the server sent it. */
async function readProblem(res) {
  const type = res.headers.get('content-type') || '';
  if (type.includes('json')) {
    try {
      const body = await res.json();
      return { title: body.title || `Error ${res.status}`, detail: body.detail || '', code: body.code || '' };
    } catch {
      /* fall through to the status line */
    }
  }
  const text = type.startsWith('text/plain') ? (await res.text()).slice(0, 300) : '';
  return { title: `The server answered ${res.status} ${res.statusText}`.trim(), detail: text };
}

/** Sends a form with fetch; network failures become a problem too. */
async function post(url, body) {
  const headers = {};
  const token = /** @type {HTMLInputElement} */ ($('api-token')).value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(url, { method: 'POST', body, headers });
  } catch (err) {
    return {
      problem: {
        title: 'The server could not be reached',
        detail: `Check the connection and try again (${err.message}).`,
      },
    };
  }
}

/** A form's fields minus an empty key, so "no key" is never sent as the key "". */
function formFields(form) {
  const data = new FormData(form);
  if (!String(data.get('key') || '')) data.delete('key');
  return data;
}

/** Replaces an object URL held on an element, freeing the previous one. */
function swapUrl(holder, blob) {
  if (holder.dataset.url) URL.revokeObjectURL(holder.dataset.url);
  const url = blob ? URL.createObjectURL(blob) : '';
  if (url) holder.dataset.url = url;
  else delete holder.dataset.url;
  return url;
}

function baseName(file, fallback) {
  return (
    (file?.name || fallback)
      .replace(/\.[^.]+$/, '')
      .replace(/[^\w.-]+/g, '-')
      .slice(0, 60) || fallback
  );
}

function busy(button, on, label) {
  button.disabled = on;
  button.setAttribute('aria-busy', String(on));
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
  } else if (button.dataset.label) button.textContent = button.dataset.label;
}

const isPngOrJpeg = (file) => /^image\/(png|jpeg)$/.test(file.type) || /\.(png|jpe?g)$/i.test(file.name);

/** Loads a chosen photo into an <img> preview; resolves to its natural size, or throws when the browser can't read it. */
async function previewImage(img, file) {
  img.src = swapUrl(img, file);
  try {
    await img.decode();
  } catch {
    img.hidden = true;
    throw new Error(`“${file.name}” could not be read as an image. Choose a PNG or JPEG photo.`);
  }
  img.hidden = false;
  return { width: img.naturalWidth, height: img.naturalHeight };
}

// ---------------------------------------------------------------- hide

const hide = {
  form: /** @type {HTMLFormElement} */ ($('hide-form')),
  image: /** @type {HTMLInputElement} */ ($('hide-image')),
  audio: /** @type {HTMLInputElement} */ ($('hide-audio')),
  /** @type {{ seconds: number, samples: number, sampleRate: number, coded?: { seconds: number }, maxPixels?: number } | null} */
  capacity: null,
  /** @type {number | null} */
  audioSeconds: null,
  /** @type {File | null} a clip recorded in the page, sent instead of the audio file */
  recording: null,
  imageTicket: 0,
  audioTicket: 0,
  /** The photo is over the server's limit for the file schemes but within the robust scheme's. */
  tooLargeForFile: false,
};

/** The scheme the form will ask for: a ticked scheme box, else the default (the two boxes exclude each other). */
function chosenScheme() {
  for (const id of ['hide-messenger', 'hide-scheme']) {
    const box = /** @type {HTMLInputElement | null} */ (document.getElementById(id));
    if (box?.checked) return box.value;
  }
  return null;
}

/** Seconds the chosen photo holds under the scheme the form will ask for (each scheme's own room, from /api/capacity). */
function roomSeconds(capacity) {
  const scheme = chosenScheme();
  return scheme && capacity[scheme] ? capacity[scheme].seconds : capacity.seconds;
}

function updateFit() {
  const fit = $('fit');
  const { capacity, audioSeconds } = hide;
  if (!capacity || audioSeconds === null) {
    fit.hidden = true;
    return;
  }
  fit.hidden = false;
  if (hide.tooLargeForFile && chosenScheme() !== 'robust') {
    fit.className = 'fit bad';
    fit.textContent = 'This photo is too large to send as a file; it can go through a messenger (the box below).';
    return;
  }
  const room = roomSeconds(capacity);
  const fits = audioSeconds <= room;
  fit.className = `fit ${fits ? 'ok' : 'bad'}`;
  fit.textContent = fits
    ? `The ${formatSeconds(audioSeconds)} voice fits in this photo (room for ${formatSeconds(room)}).`
    : `The ${formatSeconds(audioSeconds)} voice is longer than this photo holds (${formatSeconds(room)}). ` +
      'Use a larger photo or a shorter clip.';
}

async function onHideImage() {
  const ticket = ++hide.imageTicket;
  const status = $('hide-image-status');
  const img = /** @type {HTMLImageElement} */ ($('hide-image-preview'));
  hide.capacity = null;
  hide.tooLargeForFile = false;
  updateFit();
  const file = hide.image.files?.[0];
  if (!file) {
    setStatus(status, '');
    img.hidden = true;
    swapUrl(img, null);
    return;
  }
  if (!isPngOrJpeg(file)) {
    img.hidden = true;
    setStatus(
      status,
      `“${file.name}” is not a PNG or JPEG photo${file.type ? ` (it is ${file.type})` : ''}. Choose a .png or .jpg file.`,
      true,
    );
    return;
  }
  setStatus(status, 'Reading the photo…');
  let size;
  try {
    size = await previewImage(img, file);
  } catch (err) {
    if (ticket === hide.imageTicket) setStatus(status, err.message, true);
    return;
  }
  if (ticket !== hide.imageTicket) return;
  setStatus(status, `${size.width}×${size.height} photo · working out how much voice it holds…`);
  const url = new URL(`/api/capacity?width=${size.width}&height=${size.height}`, hide.form.action);
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    if (ticket === hide.imageTicket)
      setStatus(status, `${size.width}×${size.height} photo · the server could not be reached (${err.message}).`, true);
    return;
  }
  if (ticket !== hide.imageTicket) return;
  if (!res.ok) {
    const problem = await readProblem(res);
    setStatus(status, `${size.width}×${size.height} photo · ${problem.detail || problem.title}`, true);
    return;
  }
  const capacity = await res.json();
  if (ticket !== hide.imageTicket) return;
  const pixels = size.width * size.height;
  if (capacity.maxPixels && pixels > capacity.maxPixels && pixels <= (capacity.robust?.maxPixels ?? 0)) {
    // Too large to send as a file, but the robust scheme fits phone photos down: offer it instead of refusing.
    hide.capacity = capacity;
    hide.tooLargeForFile = true;
    setStatus(
      status,
      `${size.width}×${size.height} photo · too large to send as a file here (up to ` +
        `${(capacity.maxPixels / 1e6).toFixed(1)} megapixels); tick “Will be sent through a messenger” to use it whole.`,
      true,
    );
    updateFit();
    return;
  }
  if (capacity.maxPixels && pixels > capacity.maxPixels) {
    const side = Math.floor(Math.sqrt(capacity.maxPixels));
    setStatus(
      status,
      `${size.width}×${size.height} photo · too large: this server takes photos up to ` +
        `${(capacity.maxPixels / 1e6).toFixed(1)} megapixels (e.g. ${side}×${side}). Make it smaller first.`,
      true,
    );
    return;
  }
  if (capacity.seconds <= 0) {
    setStatus(status, `${size.width}×${size.height} photo · too small to hold any voice. Choose a larger photo.`, true);
    return;
  }
  hide.capacity = capacity;
  setStatus(status, `${size.width}×${size.height} photo · holds up to ${formatSeconds(capacity.seconds)} of voice.`);
  updateFit();
}

/** Shows a chosen or recorded clip: its length and format, and a player. */
async function showAudio(file, recorded) {
  const ticket = ++hide.audioTicket;
  const status = $('hide-audio-status');
  const player = /** @type {HTMLAudioElement} */ ($('hide-audio-preview'));
  hide.audioSeconds = null;
  updateFit();
  if (!file) {
    setStatus(status, '');
    player.hidden = true;
    player.removeAttribute('src');
    swapUrl(player, null);
    return;
  }
  let info;
  try {
    info = parseWavInfo(await file.slice(0, WAV_HEADER_BYTES).arrayBuffer());
  } catch (err) {
    if (ticket !== hide.audioTicket) return;
    player.hidden = true;
    setStatus(
      status,
      `“${file.name}” can’t be used: ${err.message}. Choose a WAV file${canRecord() ? ', or record in the page' : ''}.`,
      true,
    );
    return;
  }
  if (ticket !== hide.audioTicket) return;
  hide.audioSeconds = info.seconds;
  player.src = swapUrl(player, file);
  player.hidden = false;
  const channels = info.channels === 1 ? 'mono' : info.channels === 2 ? 'stereo' : `${info.channels} channels`;
  const format = info.encoding === 'float' ? `${info.bitsPerSample}-bit float` : `${info.bitsPerSample}-bit`;
  setStatus(
    status,
    `${recorded ? 'Recording' : 'Voice'} · ${formatSeconds(info.seconds)} · ${format} · ${info.sampleRate / 1000} kHz ${channels} · ${formatBytes(file.size)}`,
  );
  updateFit();
}

function onHideAudio() {
  hide.recording = null;
  hide.audio.required = true;
  showAudio(hide.audio.files?.[0] ?? null, false);
}

function setupRecording() {
  if (!canRecord()) return;
  const button = /** @type {HTMLButtonElement} */ ($('record'));
  const label = /** @type {HTMLElement} */ (button.querySelector('.label'));
  const status = $('hide-audio-status');
  document.querySelectorAll('[data-needs-mic]').forEach((el) => {
    el.hidden = false;
  });
  /** @type {Awaited<ReturnType<typeof startRecording>> | null} */
  let session = null;
  let timer = 0;

  async function stop() {
    clearInterval(timer);
    if (!session) return;
    const current = session;
    session = null;
    button.setAttribute('aria-pressed', 'false');
    label.textContent = 'Record';
    button.disabled = true;
    setStatus(status, 'Preparing the recording…');
    try {
      const file = await current.stop();
      hide.recording = file;
      hide.audio.value = '';
      hide.audio.required = false;
      await showAudio(file, true);
    } catch (err) {
      setStatus(status, err.message, true);
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', async () => {
    if (session) {
      await stop();
      return;
    }
    button.disabled = true;
    try {
      session = await startRecording();
    } catch (err) {
      setStatus(status, err.message, true);
      return;
    } finally {
      button.disabled = false;
    }
    button.setAttribute('aria-pressed', 'true');
    label.textContent = 'Stop';
    const started = performance.now();
    // Stop by itself once the clip fills the photo (or at 10 minutes), so the recording always fits.
    const limit = hide.capacity ? hide.capacity.seconds : 600;
    const tick = () => {
      const elapsed = (performance.now() - started) / 1000;
      setStatus(
        status,
        `Recording… ${formatSeconds(elapsed)}${hide.capacity ? ` of at most ${formatSeconds(limit)}` : ''}. Press Stop when done.`,
      );
      if (elapsed >= limit - 0.1) stop();
    };
    tick();
    timer = setInterval(tick, 250);
  });
}

async function onHideSubmit(event) {
  event.preventDefault();
  const errorBox = $('hide-error');
  showError(errorBox, null);
  $('hide-result').hidden = true;
  const data = formFields(hide.form);
  if (hide.recording) data.set('audio', hide.recording, hide.recording.name);
  const file = hide.image.files?.[0];
  const submit = /** @type {HTMLButtonElement} */ ($('hide-submit'));
  busy(submit, true, 'Hiding the voice…');
  try {
    const res = await post(hide.form.action, data);
    if ('problem' in res) {
      showError(errorBox, res.problem);
      return;
    }
    if (!res.ok) {
      showError(errorBox, await readProblem(res));
      return;
    }
    const png = await res.blob();
    const jpeg = png.type === 'image/jpeg';
    const url = swapUrl($('hide-result'), png);
    /** @type {HTMLImageElement} */ ($('container-image')).src = url;
    const link = /** @type {HTMLAnchorElement} */ ($('container-download'));
    link.href = url;
    link.download = `${baseName(file, 'photo')}-stegavox.${jpeg ? 'jpg' : 'png'}`;
    link.textContent = jpeg ? 'Download the JPEG' : 'Download the PNG';
    const seconds = Number(res.headers.get('X-Stego-Seconds'));
    const capacity = Number(res.headers.get('X-Stego-Capacity-Seconds'));
    const model = res.headers.get('X-Stego-Model');
    const engine = model ? `model ${model}` : `${res.headers.get('X-Stego-Scheme') ?? 'coded'} scheme`;
    $('hide-summary').textContent =
      (Number.isFinite(seconds) && res.headers.has('X-Stego-Seconds')
        ? `${formatSeconds(seconds)} of voice hidden`
        : 'Voice hidden') +
      (Number.isFinite(capacity) && res.headers.has('X-Stego-Capacity-Seconds')
        ? ` (the photo holds ${formatSeconds(capacity)})`
        : '') +
      ` · ${jpeg ? 'JPEG' : 'PNG'}, ${formatBytes(png.size)}` +
      ` · ${engine}`;
    $('hide-result').hidden = false;
    $('hide-result').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } finally {
    busy(submit, false);
  }
}

// ---------------------------------------------------------------- reveal

const reveal = {
  form: /** @type {HTMLFormElement} */ ($('reveal-form')),
  image: /** @type {HTMLInputElement} */ ($('reveal-image')),
  ticket: 0,
};

async function onRevealImage() {
  const ticket = ++reveal.ticket;
  const status = $('reveal-image-status');
  const img = /** @type {HTMLImageElement} */ ($('reveal-image-preview'));
  const file = reveal.image.files?.[0];
  if (!file) {
    setStatus(status, '');
    img.hidden = true;
    swapUrl(img, null);
    return;
  }
  const jpeg = file.type === 'image/jpeg' || /\.jpe?g$/i.test(file.name);
  if (!jpeg && !(file.type === 'image/png' || /\.png$/i.test(file.name))) {
    img.hidden = true;
    setStatus(status, `“${file.name}” is not a PNG or JPEG photo. Choose the photo the voice was hidden in.`, true);
    return;
  }
  try {
    const size = await previewImage(img, file);
    if (ticket === reveal.ticket)
      setStatus(
        status,
        `${size.width}×${size.height} ${jpeg ? 'JPEG (only a voice hidden for messengers survives JPEG)' : 'PNG'} · ` +
          formatBytes(file.size),
      );
  } catch (err) {
    if (ticket === reveal.ticket) setStatus(status, err.message, true);
  }
}

/**
 * After "nothing found": a keyed container looks exactly like an empty photo without its key, so the page says so
 * and puts the cursor in the key box.
 */
function offerKey(errorBox) {
  const hint = document.createElement('p');
  hint.textContent = 'Hidden with a key? Type it in the Key box and reveal again.';
  errorBox.append(hint);
  /** @type {HTMLInputElement} */ ($('reveal-key')).focus();
}

async function onRevealSubmit(event) {
  event.preventDefault();
  const errorBox = $('reveal-error');
  showError(errorBox, null);
  $('reveal-result').hidden = true;
  /** @type {HTMLAudioElement} */ ($('revealed-audio')).pause();
  const file = reveal.image.files?.[0];
  const submit = /** @type {HTMLButtonElement} */ ($('reveal-submit'));
  busy(submit, true, 'Listening for a hidden voice…');
  try {
    const res = await post(reveal.form.action, formFields(reveal.form));
    if ('problem' in res) {
      showError(errorBox, res.problem);
      return;
    }
    if (!res.ok) {
      const problem = await readProblem(res);
      showError(errorBox, problem);
      if (problem.code === 'no_payload') offerKey(errorBox);
      return;
    }
    const wav = await res.blob();
    let info = null;
    try {
      info = parseWavInfo(await wav.slice(0, 4096).arrayBuffer());
    } catch {
      /* the player still tries */
    }
    const url = swapUrl($('reveal-result'), wav);
    /** @type {HTMLAudioElement} */ ($('revealed-audio')).src = url;
    const link = /** @type {HTMLAnchorElement} */ ($('audio-download'));
    link.href = url;
    link.download = `${baseName(file, 'voice').replace(/-stegavox$/, '')}-voice.wav`;
    $('reveal-summary').textContent = info
      ? `${formatSeconds(info.seconds)} of voice · ${info.sampleRate / 1000} kHz mono WAV, ${formatBytes(wav.size)}`
      : `WAV, ${formatBytes(wav.size)}`;
    $('reveal-result').hidden = false;
    $('reveal-result').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  } finally {
    busy(submit, false);
  }
}

// ---------------------------------------------------------------- wiring

hide.image.addEventListener('change', onHideImage);
hide.audio.addEventListener('change', onHideAudio);
for (const [id, other] of [
  ['hide-scheme', 'hide-messenger'],
  ['hide-messenger', 'hide-scheme'],
]) {
  document.getElementById(id)?.addEventListener('change', (event) => {
    const box = /** @type {HTMLInputElement} */ (event.target);
    if (box.checked) /** @type {HTMLInputElement} */ ($(other)).checked = false;
    updateFit();
  });
}
hide.form.addEventListener('submit', onHideSubmit);
reveal.image.addEventListener('change', onRevealImage);
reveal.form.addEventListener('submit', onRevealSubmit);
setupRecording();
// A reload can keep chosen files in the inputs: describe them as if just chosen.
if (hide.image.files?.length) onHideImage();
if (hide.audio.files?.length) onHideAudio();
if (reveal.image.files?.length) onRevealImage();
document.querySelectorAll('[data-needs-js]').forEach((el) => {
  el.hidden = false;
});
