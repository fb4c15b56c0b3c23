/**
 * Entry of a Node.js execution environment run as a worker thread: frames travel through the
 * shared-memory channel (../shared-channel.ts). A worker cannot chdir, so process.cwd() answers
 * the task root as Lambda's working directory (/var/task) would (relative fs paths still resolve
 * against gatehouse's cwd).
 */
import { workerData } from 'node:worker_threads';
import { runRuntime } from './runtime.js';
import { EnvironmentChannel, type SharedChannelEnd } from '../shared-channel.js';

const channel = new EnvironmentChannel((workerData as { channel: SharedChannelEnd }).channel);
const taskRoot = process.env['LAMBDA_TASK_ROOT'];
if (taskRoot !== undefined) process.cwd = () => taskRoot;

let deliver: (chunk: Buffer) => void = () => {};
await runRuntime({
  write: (data, onFlushed) => {
    channel.send(data);
    onFlushed?.();
  },
  writeSync: (data) => channel.sendBeforeExit(data),
  onData: (listener) => {
    deliver = listener;
  },
  // A fresh macrotask, so that the wait never nests inside the invocation that just ended.
  idle: () => setImmediate(() => deliver(channel.receive())),
  // The channel holds no handle that keeps the event loop alive.
  ref: () => {},
  unref: () => {},
  // The isolate's own memory: heap plus off-heap buffers (the process's RSS is gatehouse's).
  memoryBytes: () => {
    const usage = process.memoryUsage();
    return usage.heapTotal + usage.external;
  },
});
