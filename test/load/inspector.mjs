// Reads the worker isolate's live memory through wrangler dev's DevTools inspector: JS heap after a full GC (heap snapshot) and tf.memory().
import WebSocket from 'ws';

/** Longest wait for one DevTools reply (a heap snapshot of a ~25 MiB heap takes about a second). */
const REPLY_TIMEOUT_MS = 30_000;

/**
 * Connects to the worker's DevTools endpoint on `inspectorPort` and returns a small client.
 * @param {number} inspectorPort
 */
export async function connectInspector(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`the inspector on port ${inspectorPort} lists no worker: ${JSON.stringify(targets)}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 1 << 30 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let nextId = 0;
  const pending = new Map();
  /** Heap snapshot chunks arrive as events before the takeHeapSnapshot reply. */
  let chunks = [];
  /** The worker's execution context: evaluation needs it (workerd has no default context). */
  let contextId = null;
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params.chunk);
    else if (message.method === 'Runtime.executionContextCreated') contextId ??= message.params.context.id;
    else if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });

  function send(method, params = {}) {
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`no reply to ${method} within ${REPLY_TIMEOUT_MS / 1000} s`));
      }, REPLY_TIMEOUT_MS);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  await send('Runtime.enable');
  await send('HeapProfiler.enable');

  return {
    /**
     * Live memory of the isolate after a full garbage collection (a heap snapshot collects first): JS objects and
     * ArrayBuffer contents (the tfjs WASM heap included), in bytes, and the tfjs tensor count.
     * @returns {Promise<{ liveBytes: number, arrayBufferBytes: number, tensors: number | null }>}
     */
    async liveMemory() {
      chunks = [];
      await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const snapshot = JSON.parse(chunks.join(''));
      chunks = [];
      const fields = snapshot.snapshot.meta.node_fields;
      const stride = fields.length;
      const sizeAt = fields.indexOf('self_size');
      const nameAt = fields.indexOf('name');
      let liveBytes = 0;
      let arrayBufferBytes = 0;
      for (let i = 0; i < snapshot.nodes.length; i += stride) {
        const size = snapshot.nodes[i + sizeAt];
        liveBytes += size;
        if (snapshot.strings[snapshot.nodes[i + nameAt]] === 'system / JSArrayBufferData') arrayBufferBytes += size;
      }
      // tfjs keeps its engine on the global object (tf.memory() reads the same).
      const tensors = await this.evaluate('globalThis._tfengine ? globalThis._tfengine.memory().numTensors : null');
      return { liveBytes, arrayBufferBytes, tensors: tensors ?? null };
    },
    /**
     * Evaluates a JavaScript expression in the worker's global scope and returns its value (JSON-serialisable).
     * @param {string} expression
     */
    async evaluate(expression) {
      const result = await send('Runtime.evaluate', {
        expression,
        returnByValue: true,
        ...(contextId !== null ? { contextId } : {}),
      });
      if (result.exceptionDetails)
        throw new Error(
          `evaluating ${expression}: ${result.exceptionDetails.exception?.description ?? result.exceptionDetails.text}`,
        );
      return result.result?.value;
    },
    close() {
      ws.close();
    },
  };
}
