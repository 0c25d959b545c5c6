/** ONNX export of the embed (Prepare + Hiding + 8-bit rounding) and Reveal nets, op for op as src/schemes/neural/model.ts computes them. */
import { StegError } from '../../src/util/errors.js';
import { BLOCK_CHANNELS, PIXEL_CENTRE } from '../../src/container/layout.js';
import {
  blockTransformMatrix,
  COVER_HEADROOM,
  inverseBlockTransformMatrix,
  weightSpecs,
  type ModelConfig,
} from '../../src/schemes/neural/model.js';
import type { LoadedModel } from '../../src/schemes/neural/weights-format.js';
import { encodeModel, type Attribute, type Graph, type Initializer, type Node } from './proto.js';

/**
 * Tensor layout of the graph inputs and outputs. `nhwc` takes and returns the pipeline's block tensors
 * [N, h, w, 48] as src/schemes/neural/model.ts does, with a Transpose to NCHW at each boundary (ONNX Conv is NCHW only);
 * `nchw` takes and returns [N, 48, h, w] directly. Inside, both work in NCHW.
 */
export type OnnxLayout = 'nhwc' | 'nchw';

export interface OnnxExportOptions {
  layout?: OnnxLayout;
  /** Apply embed's clip + round to 1/255 at the end (as `embed(..., 'round')` does). Default true. */
  quantize?: boolean;
}

/** The two serialised models: embed(cover, audio) → container, reveal(container) → audio. */
export interface OnnxModels {
  embed: Uint8Array;
  reveal: Uint8Array;
}

/** Builds nodes and initializers with fresh value names. */
class Builder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  private count = 0;

  constant(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  scalar(name: string, value: number): string {
    return this.constant(name, [], new Float32Array([value]));
  }

  op(op: string, inputs: string[], attributes: Attribute[] = [], output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.count++}`;
    this.nodes.push({ op, inputs, outputs: [out], name: out, attributes });
    return out;
  }

  graph(name: string, inputs: string[], output: string, layout: OnnxLayout): Graph {
    const dims: Array<number | string> =
      layout === 'nhwc' ? ['N', 'h', 'w', BLOCK_CHANNELS] : ['N', BLOCK_CHANNELS, 'h', 'w'];
    return {
      name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: inputs.map((n) => ({ name: n, dims })),
      outputs: [{ name: output, dims }],
    };
  }
}

/** tfjs conv kernel [kh, kw, in, out] (HWIO) → ONNX Conv weight [out, in, kh, kw] (OIHW). */
function hwioToOihw(w: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh!; y++)
    for (let x = 0; x < kw!; x++)
      for (let i = 0; i < cin!; i++)
        for (let o = 0; o < cout!; o++)
          out[((o * cin! + i) * kh! + y) * kw! + x] = w[((y * kw! + x) * cin! + i) * cout! + o]!;
  return out;
}

/** The model's layers as ONNX ops over named weights (values already decoded to float32). */
class Nets {
  constructor(
    private readonly b: Builder,
    private readonly config: ModelConfig,
    private readonly values: Record<string, Float32Array>,
    private readonly shapes: Map<string, number[]>,
  ) {}

  private weight(name: string): string {
    const shape = this.shapes.get(name)!;
    return this.b.constant(name, [shape[3]!, shape[2]!, shape[0]!, shape[1]!], hwioToOihw(this.values[name]!, shape));
  }

  private bias(name: string): string {
    return this.b.constant(name, this.shapes.get(name)!, this.values[name]!);
  }

  /** One branch: conv 'same' with the model's explicit padding (the extra row/column of an even kernel after), bias, ReLU. */
  private branch(x: string, prefix: string, k: number): string {
    const before = Math.floor((k - 1) / 2);
    const after = k - 1 - before;
    const attributes: Attribute[] = [
      { name: 'kernel_shape', ints: [k, k] },
      { name: 'pads', ints: [before, before, after, after] },
      { name: 'strides', ints: [1, 1] },
    ];
    return this.b.op('Relu', [
      this.b.op('Conv', [x, this.weight(`${prefix}/k${k}/w`), this.bias(`${prefix}/k${k}/b`)], attributes),
    ]);
  }

  /** `layers` multi-scale layers (branches concatenated on channels), then [features, input] (the dense skip). */
  stack(net: 'prepare' | 'hiding' | 'reveal', x: string): string {
    let h = x;
    for (let l = 0; l < this.config[net].layers; l++)
      h = this.b.op(
        'Concat',
        this.config.kernels.map((k) => this.branch(h, `${net}/${l}`, k)),
        [{ name: 'axis', i: 1 }],
      );
    return this.b.op('Concat', [h, x], [{ name: 'axis', i: 1 }]);
  }

  /** The 1×1 output conv with bias. */
  out(net: 'hiding' | 'reveal', x: string): string {
    return this.b.op(
      'Conv',
      [x, this.weight(`${net}/out/w`), this.bias(`${net}/out/b`)],
      [{ name: 'kernel_shape', ints: [1, 1] }],
    );
  }

  /** A fixed 48×48 matrix (rows = input channel) as a bias-free 1×1 conv. */
  private transform(x: string, name: string, m: Float32Array): string {
    const w = this.b.constant(
      name,
      [BLOCK_CHANNELS, BLOCK_CHANNELS, 1, 1],
      hwioToOihw(m, [1, 1, BLOCK_CHANNELS, BLOCK_CHANNELS]),
    );
    return this.b.op('Conv', [x, w], [{ name: 'kernel_shape', ints: [1, 1] }]);
  }

  /** Pixels in [0, 1] → centred, scaled DCT coefficients (`toCoefficients(x − PIXEL_CENTRE)`). */
  coefficients(pixels: string, centre: string, dct: string): string {
    return this.transform(this.b.op('Sub', [pixels, centre]), dct, blockTransformMatrix());
  }

  fromCoefficients(x: string): string {
    return this.transform(x, 'idct', inverseBlockTransformMatrix());
  }
}

const toNchw = (b: Builder, x: string) => b.op('Transpose', [x], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
const toNhwc = (b: Builder, x: string, output: string) =>
  b.op('Transpose', [x], [{ name: 'perm', ints: [0, 2, 3, 1] }], output);

/**
 * Builds both ONNX models from a config and its weights decoded to float32 (names and shapes as
 * {@link weightSpecs}). A missing or mis-sized tensor throws StegError('bad_weights').
 */
export function buildOnnx(
  config: ModelConfig,
  values: Record<string, Float32Array>,
  options: OnnxExportOptions = {},
): OnnxModels {
  const layout = options.layout ?? 'nhwc';
  const shapes = new Map<string, number[]>();
  for (const { name, shape } of weightSpecs(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values[name]?.length !== size)
      throw new StegError('bad_weights', `onnx export: tensor ${name} missing or not of shape [${shape}]`);
    shapes.set(name, shape);
  }
  const producer = { name: 'stegavox bench/onnx', version: '1' };
  const io = (b: Builder, input: string) => (layout === 'nhwc' ? toNchw(b, input) : input);
  const finish = (b: Builder, x: string, output: string) =>
    layout === 'nhwc' ? toNhwc(b, x, output) : b.op('Identity', [x], [], output);

  // Embed: prepare(audio), hide(cover, prepared), then quantize8bit.
  const e = new Builder();
  const en = new Nets(e, config, values, shapes);
  // hide() works from the cover kept COVER_HEADROOM inside [0, 1].
  const cover = e.op('Clip', [
    io(e, 'cover'),
    e.scalar('headroom_low', COVER_HEADROOM),
    e.scalar('headroom_high', 1 - COVER_HEADROOM),
  ]);
  const prepared = en.stack('prepare', io(e, 'audio'));
  const centre = e.scalar('pixel_centre', PIXEL_CENTRE);
  const hidden = en.stack(
    'hiding',
    e.op('Concat', [en.coefficients(cover, centre, 'dct'), prepared], [{ name: 'axis', i: 1 }]),
  );
  let container = e.op('Add', [cover, en.fromCoefficients(en.out('hiding', hidden))]);
  if (options.quantize ?? true) {
    // clip to [0, 1], round(x·255)/255; ONNX Round and tf.round both round half to even.
    const clipped = e.op('Clip', [container, e.scalar('zero', 0), e.scalar('one', 1)]);
    const levels = e.scalar('levels', 255);
    container = e.op('Div', [e.op('Round', [e.op('Mul', [clipped, levels])]), levels]);
  }
  finish(e, container, 'container');

  // Reveal: out(stack(toCoefficients(container − centre))).
  const r = new Builder();
  const rn = new Nets(r, config, values, shapes);
  const coefficients = rn.coefficients(io(r, 'container'), r.scalar('pixel_centre', PIXEL_CENTRE), 'dct');
  finish(r, rn.out('reveal', rn.stack('reveal', coefficients)), 'audio');

  return {
    embed: encodeModel(e.graph('stegavox_embed', ['cover', 'audio'], 'container', layout), producer),
    reveal: encodeModel(r.graph('stegavox_reveal', ['container'], 'audio', layout), producer),
  };
}

/** {@link buildOnnx} of a loaded model (its weight tensors read back from the active tfjs backend). */
export function exportOnnx(model: LoadedModel, options: OnnxExportOptions = {}): OnnxModels {
  const values: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(model.weights)) values[name] = t.dataSync() as Float32Array;
  return buildOnnx(model.config, values, options);
}
