/** A minimal ONNX writer: protobuf wire encoding of the ModelProto fields the exported nets need (no dependency). */

/** ONNX TensorProto.DataType values used here. */
export const FLOAT = 1;
export const INT64 = 7;

/** IR version 7 is the one that goes with opset 13. */
export const IR_VERSION = 7;
export const OPSET = 13;

/** Growable byte buffer with the protobuf primitives (varint, length-delimited, fixed32 float). */
class Writer {
  /** Finished chunks; `bytes` collects small writes until the next large one. */
  private parts: Uint8Array[] = [];
  private bytes: number[] = [];

  private flush(): void {
    if (this.bytes.length) this.parts.push(Uint8Array.from(this.bytes));
    this.bytes = [];
  }

  varint(value: number | bigint): this {
    // int64 fields hold negatives as 10-byte two's complement; BigInt keeps that exact.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  tag(field: number, wire: 0 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, value: number): this {
    return this.tag(field, 0).varint(value);
  }

  raw(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.flush();
    this.parts.push(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  /** Packed repeated varints (proto3's default for repeated scalars). */
  packed(field: number, values: number[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** A constant tensor (an initializer): float32 or int64 data, stored as raw little-endian bytes. */
export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A node attribute: a float, an int, or a list of ints. */
export type Attribute = { name: string; f: number } | { name: string; i: number } | { name: string; ints: number[] };

/** One graph node. */
export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Attribute[];
}

/** A graph input or output: a float32 tensor of fixed or named (symbolic) dims. */
export interface ValueInfo {
  name: string;
  dims: Array<number | string>;
}

/** The whole graph. */
export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

function tensorProto(t: Initializer): Uint8Array {
  const w = new Writer()
    .packed(1, t.dims)
    .int(2, t.data instanceof Float32Array ? FLOAT : INT64)
    .string(8, t.name);
  // raw_data is little-endian, which every platform Node and browsers run on is.
  return w.raw(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)).finish();
}

function attributeProto(a: Attribute): Uint8Array {
  const w = new Writer().string(1, a.name);
  // AttributeProto.type: FLOAT = 1, INT = 2, INTS = 7.
  if ('f' in a) return w.float(2, a.f).int(20, 1).finish();
  if ('i' in a) return w.int(3, a.i).int(20, 2).finish();
  return w.packed(8, a.ints).int(20, 7).finish();
}

function nodeProto(n: Node): Uint8Array {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.op);
  for (const a of n.attributes ?? []) w.raw(5, attributeProto(a));
  return w.finish();
}

function valueInfoProto(v: ValueInfo): Uint8Array {
  const shape = new Writer();
  // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2.
  for (const d of v.dims)
    shape.raw(1, typeof d === 'number' ? new Writer().int(1, d).finish() : new Writer().string(2, d).finish());
  const tensorType = new Writer().int(1, FLOAT).raw(2, shape.finish()).finish();
  const type = new Writer().raw(1, tensorType).finish();
  return new Writer().string(1, v.name).raw(2, type).finish();
}

function graphProto(g: Graph): Uint8Array {
  const w = new Writer();
  for (const n of g.nodes) w.raw(1, nodeProto(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.raw(5, tensorProto(t));
  for (const i of g.inputs) w.raw(11, valueInfoProto(i));
  for (const o of g.outputs) w.raw(12, valueInfoProto(o));
  return w.finish();
}

/** Serialises a graph as an ONNX ModelProto (IR 7, default-domain opset 13). */
export function encodeModel(g: Graph, producer: { name: string; version: string }): Uint8Array {
  const opset = new Writer().string(1, '').int(2, OPSET).finish();
  return new Writer()
    .int(1, IR_VERSION)
    .string(2, producer.name)
    .string(3, producer.version)
    .raw(7, graphProto(g))
    .raw(8, opset)
    .finish();
}
