/** Entry of a Node.js execution environment run as a child process: frames travel over fd 3. */
import fs from 'node:fs';
import net from 'node:net';
import { runRuntime } from './runtime.js';

const CHANNEL_FD = 3;
const socket = new net.Socket({ fd: CHANNEL_FD, readable: true, writable: true });
// gatehouse gone (or the channel broken): an environment never outlives its host.
socket.on('close', () => process.exit(0));
socket.on('error', () => process.exit(0));

await runRuntime({
  write: (data, onFlushed) => socket.write(data, onFlushed === undefined ? undefined : () => onFlushed()),
  writeSync: (data) => {
    try {
      fs.writeSync(CHANNEL_FD, data);
    } catch {
      // The pipe is full or gone; those lines are lost, as on a crash.
    }
  },
  onData: (listener) => socket.on('data', listener),
  ref: () => socket.ref(),
  unref: () => socket.unref(),
  memoryBytes: () => process.memoryUsage.rss(),
});
