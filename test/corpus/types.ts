/** The shape of test/corpus/expected.json: one hostile or odd request per case and the answer the API must give. */

/** A file field's content: a path relative to test/corpus/. */
export interface CorpusFile {
  file: string;
}

/** What the API must answer. */
export interface CorpusExpect {
  status: number;
  /** The problem document's `code` (every non-200 case has one). */
  code?: string;
  /** 200 only: the clip's duration (X-Stego-Seconds; for reveal also the WAV's length). */
  seconds?: number;
  /** Embed 200 only: the container's width and height (the cover's). */
  size?: [number, number];
  /** Reveal 200 only: the revealed clip correlates with this clip (PCC above 0.9). */
  sameAs?: string;
  /** Reveal 200 only: the revealed clip is unrelated to this clip (|PCC| below 0.2): a missing or wrong key. */
  unrelatedTo?: string;
}

/** One request of the corpus. */
export interface CorpusCase {
  name: string;
  route: '/api/embed' | '/api/reveal';
  /** multipart file fields: field name → file (relative to test/corpus/). */
  files?: Record<string, string>;
  /** multipart text fields: field name → value. */
  texts?: Record<string, string>;
  /** Instead of a multipart form: a raw body with this Content-Type (null: none). */
  body?: { file: string; contentType: string | null };
  /** Worker vars overridden for this case (e.g. a lower limit). */
  env?: Record<string, string>;
  expect: CorpusExpect;
}

/** The whole expected.json. */
export interface Corpus {
  generatedBy: string;
  cases: CorpusCase[];
}
