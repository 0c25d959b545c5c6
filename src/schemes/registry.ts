/** The schemes stegavox knows, by name and by header version: adding a scheme is a folder and one line here. */
import {
  parseHeader,
  readHeaderBytes,
  serializeHeader,
  writeHeaderBytes,
  type HeaderLayout,
} from '../container/header.js';
import { parseChoice } from '../util/choice.js';
import { codedScheme } from './coded/scheme.js';
import { neuralScheme } from './neural/scheme.js';
import { robustScheme } from './robust/scheme.js';
import { stealthScheme } from './stealth/scheme.js';
import type { HidingScheme } from './scheme.js';

/** Every scheme, the default first. */
export const SCHEMES = [neuralScheme, codedScheme, stealthScheme, robustScheme] as const;

/** A registered scheme. */
export type AnyScheme = (typeof SCHEMES)[number];
/** A scheme's name: the `scheme` request field and CLI option. */
export type SchemeName = AnyScheme['name'];
/** Any scheme's header, discriminated by `scheme`. */
export type PayloadHeader = Parameters<AnyScheme['revealRows']>[0];

/** The scheme names, the default first. */
export const SCHEME_NAMES: readonly SchemeName[] = SCHEMES.map((s) => s.name);
/** The scheme embed uses when the request names none. */
export const DEFAULT_SCHEME: SchemeName = SCHEMES[0].name;

/** The scheme called `name`. */
export function schemeNamed<N extends SchemeName>(name: N): Extract<AnyScheme, { name: N }> {
  return SCHEMES.find((s) => s.name === name) as Extract<AnyScheme, { name: N }>;
}

/** Reads a scheme name (API field); absent → the default, anything else → `bad_request`. */
export function parseScheme(value: string | undefined): SchemeName {
  return parseChoice('scheme', SCHEME_NAMES, value, DEFAULT_SCHEME);
}

/** The scheme that wrote `header`, as the untyped interface the pipeline dispatches through. */
export function schemeOf(header: PayloadHeader): HidingScheme<string, PayloadHeader> {
  return schemeNamed(header.scheme) as unknown as HidingScheme<string, PayloadHeader>;
}

const LAYOUTS = SCHEMES.map((s) => s.headerLayout) as unknown as readonly HeaderLayout<PayloadHeader>[];

/** Serialises any scheme's header (in `version`, default the one its scheme writes). */
export function serializePayloadHeader(header: PayloadHeader, version?: number): Uint8Array {
  return serializeHeader(header, schemeOf(header).headerLayout, version);
}

/** Parses header bytes of any scheme (see parseHeader for the refusals). */
export function parsePayloadHeader(bytes: Uint8Array): PayloadHeader {
  return parseHeader(bytes, LAYOUTS);
}

/** Writes `header` into `rgb`'s first LSBs (see writeHeaderBytes). */
export function writeHeaderBits(rgb: Uint8Array, header: PayloadHeader, version?: number): void {
  writeHeaderBytes(rgb, serializePayloadHeader(header, version));
}

/** Reads and parses the header of any scheme from `rgb`'s first LSBs. */
export function readHeaderBits(rgb: Uint8Array): PayloadHeader {
  return parsePayloadHeader(readHeaderBytes(rgb));
}
