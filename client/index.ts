/** stegavox/client: a typed fetch client for the stegavox API (browsers, Node ≥ 18, workers); no dependencies. */

/** The schemes the server has (test/worker/client.test.ts fails the typecheck when the server adds one). */
export type KnownScheme = 'neural' | 'coded' | 'stealth' | 'robust';

/** A hiding scheme's name: a known one, or one a newer server added (the open string keeps old clients working). */
export type Scheme = KnownScheme | (string & {});

/** A container's file format. */
export type ContainerFormat = 'png' | 'jpeg';

/** Every problem `code` the server documents (GET /openapi.json, components.schemas.ProblemCode). */
export type ProblemCode =
  | 'bad_request'
  | 'bad_image'
  | 'bad_audio'
  | 'unauthorized'
  | 'method_not_allowed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'too_long'
  | 'no_payload'
  | 'damaged_payload'
  | 'bad_weights'
  | 'no_weights'
  | 'not_found'
  | 'rate_limited'
  | 'internal';

/** An RFC 9457 problem document as the server sends it. */
export interface ProblemDocument {
  /** The page that explains the code (`<server>/problems/<code>`). */
  type: string;
  title: string;
  status: number;
  /** What went wrong with this request, for people. */
  detail: string;
  /** Stable, for programs. `unexpected_response`: the answer was no problem document (a proxy's error page...). */
  code: ProblemCode | 'unexpected_response';
}

/** The error every failed call throws: the server's problem document, its status and (for 429) the wait. */
export class StegavoxProblem extends Error {
  readonly problem: ProblemDocument;
  readonly status: number;
  readonly code: ProblemDocument['code'];
  /** Seconds to wait before retrying, from Retry-After (429 rate_limited); undefined when absent. */
  readonly retryAfter: number | undefined;

  constructor(problem: ProblemDocument, retryAfter?: number) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'StegavoxProblem';
    this.problem = problem;
    this.status = problem.status;
    this.code = problem.code;
    this.retryAfter = retryAfter;
  }
}

/** Bytes the client can upload. */
export type Upload = Blob | ArrayBuffer | Uint8Array;

/** Options of {@link StegavoxClient}. */
export interface ClientOptions {
  /** The deployment, e.g. "https://stegavox.example.workers.dev" (a path prefix is kept). */
  baseUrl: string;
  /** The API token, when the deployment sets API_TOKEN: sent as "Authorization: Bearer <token>". */
  token?: string;
  /** The fetch to use (default: the global one); a test can pass one that calls the worker directly. */
  fetch?: (request: Request) => Promise<Response>;
}

/** Input of {@link StegavoxClient.embed}. */
export interface EmbedInput {
  /** The cover photo, PNG or JPEG. */
  image: Upload;
  /** The clip, WAV. */
  audio: Upload;
  key?: string;
  /** Neural scheme only: `high` is slower and clearer. */
  quality?: 'standard' | 'high';
  scheme?: Scheme;
  /** The container's format; absent: the scheme's own (PNG; JPEG for `robust`). */
  format?: ContainerFormat;
  /** Long side in pixels to scale the photo down to first (64–4096); absent: the scheme's default. */
  fit?: number;
}

/** Result of {@link StegavoxClient.embed}: the container and its X-Stego-* headers. */
export interface EmbedResult {
  /** The container file, in {@link EmbedResult.format}. */
  image: Uint8Array;
  /** `png`, or `jpeg` (robust scheme). */
  format: ContainerFormat;
  /** Duration of the hidden clip, seconds. */
  seconds: number;
  /** Seconds the photo holds under the scheme used. */
  capacitySeconds: number;
  /** Hz the clip was carried at; 8000 = not spread. */
  spreadRate: number;
  /** The pass that ran. */
  quality: 'standard' | 'high';
  scheme: Scheme;
  /** Version of the weights that ran; undefined for a scheme without a model. */
  model: string | undefined;
}

/** Input of {@link StegavoxClient.reveal}. */
export interface RevealInput {
  /** The container as embed returned it (PNG; JPEG, even re-saved, for the robust scheme). */
  image: Upload;
  key?: string;
  /** `on` (default): the post-filter; `off`: the raw reveal. */
  denoise?: 'on' | 'off';
}

/** Result of {@link StegavoxClient.reveal}: the clip and its X-Stego-* headers. */
export interface RevealResult {
  /** 16-bit PCM mono 8 kHz WAV. */
  wav: Uint8Array;
  seconds: number;
  /** Whether the post-filter ran. */
  denoise: 'on' | 'off';
  /** The scheme read from the container. */
  scheme: Scheme;
  model: string | undefined;
  /** Robust scheme: coded frames carried and frames lost (concealed); undefined for the other schemes. */
  frames: { total: number; lost: number } | undefined;
}

/** Result of {@link StegavoxClient.capacity}. */
export interface Capacity {
  /** Under the default (neural) scheme. */
  seconds: number;
  samples: number;
  sampleRate: number;
  /** Largest photo (width × height) the deployment accepts. */
  maxPixels: number;
  /** Each other scheme's capacity under its name, e.g. `coded`. */
  [scheme: string]: number | { seconds: number; samples: number };
}

/** Result of {@link StegavoxClient.info}: what GET /api/health reports. */
export interface Info {
  ok: true;
  /** The tfjs backend, `wasm`. */
  backend: string;
  model: { version: string; sha256: string; source: 'r2' | 'bundled'; reason?: string };
}

/** A client for one deployment. Every method throws {@link StegavoxProblem} for an error answer. */
export class StegavoxClient {
  readonly #base: URL;
  readonly #token: string | undefined;
  readonly #fetch: (request: Request) => Promise<Response>;

  constructor(options: ClientOptions) {
    // A trailing slash makes relative paths land under a path prefix ("https://host/stegavox/" + "api/embed").
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.#token = options.token;
    // Bound: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.#fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  }

  /** Hides `audio` in `image` (POST /api/embed). */
  async embed(input: EmbedInput): Promise<EmbedResult> {
    const response = await this.#post('api/embed', {
      image: input.image,
      audio: input.audio,
      key: input.key,
      quality: input.quality,
      scheme: input.scheme,
      format: input.format,
      fit: input.fit === undefined ? undefined : String(input.fit),
    });
    const h = response.headers;
    return {
      image: new Uint8Array(await response.arrayBuffer()),
      format: h.get('content-type')?.startsWith('image/jpeg') ? 'jpeg' : 'png',
      seconds: numberHeader(h, 'x-stego-seconds'),
      capacitySeconds: numberHeader(h, 'x-stego-capacity-seconds'),
      spreadRate: numberHeader(h, 'x-stego-spread-rate'),
      quality: h.get('x-stego-quality') === 'high' ? 'high' : 'standard',
      scheme: h.get('x-stego-scheme') ?? 'neural',
      model: h.get('x-stego-model') ?? undefined,
    };
  }

  /** Recovers the clip hidden in `image` (POST /api/reveal). */
  async reveal(input: RevealInput): Promise<RevealResult> {
    const response = await this.#post('api/reveal', { image: input.image, key: input.key, denoise: input.denoise });
    const h = response.headers;
    return {
      wav: new Uint8Array(await response.arrayBuffer()),
      seconds: numberHeader(h, 'x-stego-seconds'),
      denoise: h.get('x-stego-denoise') === 'off' ? 'off' : 'on',
      scheme: h.get('x-stego-scheme') ?? 'neural',
      model: h.get('x-stego-model') ?? undefined,
      frames: h.has('x-stego-frames')
        ? { total: numberHeader(h, 'x-stego-frames'), lost: numberHeader(h, 'x-stego-frames-lost') }
        : undefined,
    };
  }

  /** Seconds a `width`×`height` photo holds (GET /api/capacity). */
  async capacity(width: number, height: number): Promise<Capacity> {
    const query = new URLSearchParams({ width: String(width), height: String(height) });
    return (await this.#send(new Request(new URL(`api/capacity?${query}`, this.#base)))).json() as Promise<Capacity>;
  }

  /** The backend and the weights that serve (GET /api/health; there is no separate info endpoint). */
  async info(): Promise<Info> {
    return (await this.#send(new Request(new URL('api/health', this.#base)))).json() as Promise<Info>;
  }

  async #post(path: string, fields: Record<string, Upload | string | undefined>): Promise<Response> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value instanceof Blob ? value : new Blob([value as Uint8Array<ArrayBuffer>]), name);
    }
    const headers: Record<string, string> = this.#token ? { authorization: `Bearer ${this.#token}` } : {};
    return this.#send(new Request(new URL(path, this.#base), { method: 'POST', body: form, headers }));
  }

  async #send(request: Request): Promise<Response> {
    const response = await this.#fetch(request);
    if (response.ok) return response;
    throw await problemOf(response);
  }
}

/** The {@link StegavoxProblem} of an error response (a synthetic `unexpected_response` one for a non-problem body). */
async function problemOf(response: Response): Promise<StegavoxProblem> {
  const retryAfter = response.headers.get('retry-after');
  const wait = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const text = await response.text();
  if (response.headers.get('content-type')?.startsWith('application/problem+json')) {
    try {
      return new StegavoxProblem(JSON.parse(text) as ProblemDocument, wait);
    } catch {
      // Falls through: a body that claims to be a problem but is not JSON is an unexpected response.
    }
  }
  return new StegavoxProblem(
    {
      type: 'about:blank',
      title: response.statusText || 'Unexpected response',
      status: response.status,
      detail: text.slice(0, 200) || `HTTP ${response.status}`,
      code: 'unexpected_response',
    },
    wait,
  );
}

function numberHeader(headers: Headers, name: string): number {
  const value = headers.get(name);
  return value === null ? NaN : Number(value);
}
