/**
 * Entry of a Node.js execution environment run as a worker thread: frames travel as messages on
 * the worker's port. A worker cannot chdir, so process.cwd() answers the task root as Lambda's
 * working directory (/var/task) would (relative fs paths still resolve against gatehouse's cwd).
 */
import { parentPort } from 'node:worker_threads';
import { runRuntime } from './runtime.js';
import { postBytes } from '../protocol.js';

const port = parentPort!;
const taskRoot = process.env['LAMBDA_TASK_ROOT'];
if (taskRoot !== undefined) process.cwd = () => taskRoot;

await runRuntime({
  write: (data, onFlushed) => {
    postBytes(port, data);
    onFlushed?.();
  },
  // Messages posted while the thread exits are still delivered.
  writeSync: (data) => postBytes(port, data),
  onData: (listener) => port.on('message', (data: Uint8Array) => listener(Buffer.from(data.buffer, data.byteOffset, data.byteLength))),
  ref: () => port.ref(),
  unref: () => port.unref(),
  // The isolate's own memory: heap plus off-heap buffers (the process's RSS is gatehouse's).
  memoryBytes: () => {
    const usage = process.memoryUsage();
    return usage.heapTotal + usage.external;
  },
});
