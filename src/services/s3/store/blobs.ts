/**
 * Object and part bodies as files under `<dataDir>/objects/`, named by a random id (never by the key, so no
 * key can reach outside the folder): written to a temp file, fsynced, renamed, and the folder
 * fsynced before a write is acknowledged. Renames share folder fsyncs (one covers every rename
 * done before it started). Blobs never change once written, so small ones are also kept in a
 * bounded in-memory cache. AWS docs: Amazon S3 User Guide "Data protection in Amazon S3"
 * (a successful PUT is durable).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const fsOpen = promisify(fs.open);
const fsWrite = (fd: number, buffer: Buffer, offset: number, length: number) =>
  new Promise<number>((resolve, reject) => fs.write(fd, buffer, offset, length, null, (error, n) => (error ? reject(error) : resolve(n))));
const fsFsync = promisify(fs.fsync);
const fsClose = promisify(fs.close);
const fsRename = promisify(fs.rename);
const fsUnlink = promisify(fs.unlink);
const fsRead = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) => fs.read(fd, buffer, offset, length, position, (error, n) => (error ? reject(error) : resolve(n))));

const NAME = /^[0-9a-f]{32}$/;
const COPY_CHUNK = 1024 * 1024;
/** Bodies up to this size are cached whole (and read whole on a miss). */
export const CACHEABLE_BYTES = 256 * 1024;
const CACHE_BUDGET_BYTES = 64 * 1024 * 1024;

/** A slice of a stored blob: `end` exclusive. */
export interface BlobSlice {
  name: string;
  start: number;
  end: number;
}

export class BlobStore {
  readonly #root: string;
  readonly #tmp: string;
  readonly #dirSync: DirectorySync;
  readonly #cache = new BlobCache(CACHE_BUDGET_BYTES);

  constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, '.tmp');
    fs.mkdirSync(this.#tmp, { recursive: true });
    this.#dirSync = new DirectorySync(root);
  }

  path(name: string): string {
    if (!NAME.test(name)) throw new Error(`invalid blob name ${JSON.stringify(name)}`);
    return join(this.#root, name);
  }

  /** Writes `data` durably and returns the new blob's name. */
  async write(data: Buffer): Promise<string> {
    const name = await this.#create(async (fd) => {
      let offset = 0;
      while (offset < data.length) offset += await fsWrite(fd, data, offset, data.length - offset);
    });
    if (data.length <= CACHEABLE_BYTES) this.#cache.set(name, data);
    return name;
  }

  /** A new blob made of slices of existing ones (copies, multipart completion); `onData` sees every byte. */
  async concat(slices: BlobSlice[], onData?: (chunk: Buffer) => void): Promise<string> {
    return this.#create(async (fd) => {
      const buffer = Buffer.allocUnsafe(COPY_CHUNK);
      for (const slice of slices) {
        const source = await fsOpen(this.path(slice.name), 'r');
        try {
          let position = slice.start;
          while (position < slice.end) {
            const bytesRead = await fsRead(source, buffer, 0, Math.min(COPY_CHUNK, slice.end - position), position);
            if (bytesRead === 0) throw new Error(`blob ${slice.name} is shorter than recorded`);
            const chunk = buffer.subarray(0, bytesRead);
            onData?.(chunk);
            let written = 0;
            while (written < bytesRead) written += await fsWrite(fd, chunk, written, bytesRead - written);
            position += bytesRead;
          }
        } finally {
          await fsClose(source);
        }
      }
    });
  }

  /** A small blob whole (from the cache or disk); ENOENT when a concurrent write replaced it (callers retry). */
  async readSmall(name: string, size: number): Promise<Buffer> {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    const fd = await fsOpen(this.path(name), 'r');
    try {
      const data = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = await fsRead(fd, data, read, size - read, read);
        if (n === 0) throw new Error(`blob ${name} is shorter than recorded`);
        read += n;
      }
      this.#cache.set(name, data);
      return data;
    } finally {
      await fsClose(fd);
    }
  }

  /** Opens a blob for streaming; ENOENT when a concurrent write replaced it (callers retry). */
  open(name: string): Promise<FileHandle> {
    return open(this.path(name), 'r');
  }

  async remove(name: string | null | undefined): Promise<void> {
    if (name === null || name === undefined) return;
    this.#cache.delete(name);
    await fsUnlink(this.path(name)).catch(() => {});
  }

  /**
   * Deletes temp files and blobs no row refers to (left by a crash between the file and the
   * database write). Only files older than `minAgeMs` go, so a write in flight never loses its file.
   */
  sweep(isKnown: (name: string) => boolean, minAgeMs: number): number {
    const cutoff = Date.now() - minAgeMs;
    let removed = 0;
    const candidates = [
      ...fs.readdirSync(this.#tmp).map((file) => join(this.#tmp, file)),
      ...fs.readdirSync(this.#root).filter((file) => NAME.test(file) && !isKnown(file)).map((file) => join(this.#root, file)),
    ];
    for (const path of candidates) {
      try {
        if (fs.statSync(path).mtimeMs > cutoff) continue;
        fs.rmSync(path, { force: true, recursive: true });
        removed++;
      } catch {
        // Gone already.
      }
    }
    return removed;
  }

  async #create(fill: (fd: number) => Promise<void>): Promise<string> {
    const name = randomUUID().replace(/-/g, '');
    const temp = join(this.#tmp, name);
    const fd = await fsOpen(temp, 'w');
    try {
      await fill(fd);
      await fsFsync(fd);
    } catch (error) {
      await fsClose(fd).catch(() => {});
      await fsUnlink(temp).catch(() => {});
      throw error;
    }
    await fsClose(fd);
    await fsRename(temp, join(this.#root, name));
    await this.#dirSync.sync();
    return name;
  }
}

/**
 * fsync of a folder shared by concurrent callers: a caller joins the next sync to start (one
 * already running may have begun before its rename). Windows cannot open folders: a no-op there.
 */
class DirectorySync {
  #current: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(readonly dir: string) {}

  sync(): Promise<void> {
    if (process.platform === 'win32') return Promise.resolve();
    if (this.#next !== null) return this.#next;
    if (this.#current === null) return this.#start();
    const next = this.#current.then(
      () => this.#start(),
      () => this.#start(),
    );
    this.#next = next;
    return next;
  }

  #start(): Promise<void> {
    this.#next = null;
    const run = (async () => {
      const fd = await fsOpen(this.dir, 'r');
      try {
        await fsFsync(fd);
      } finally {
        await fsClose(fd);
      }
    })();
    this.#current = run;
    const clear = () => {
      if (this.#current === run) this.#current = null;
    };
    run.then(clear, clear);
    return run;
  }
}

/** Least-recently-used cache of whole small blobs, bounded by total bytes. */
class BlobCache {
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;

  constructor(readonly budget: number) {}

  get(name: string): Buffer | undefined {
    const data = this.#entries.get(name);
    if (data !== undefined) {
      this.#entries.delete(name);
      this.#entries.set(name, data);
    }
    return data;
  }

  set(name: string, data: Buffer): void {
    // A slice of a larger request buffer would pin all of it: keep a copy of just the body.
    const own = data.byteLength === data.buffer.byteLength ? data : Buffer.from(data);
    this.delete(name);
    this.#entries.set(name, own);
    this.#bytes += own.length;
    for (const [oldest, value] of this.#entries) {
      if (this.#bytes <= this.budget) break;
      this.#entries.delete(oldest);
      this.#bytes -= value.length;
    }
  }

  delete(name: string): void {
    const data = this.#entries.get(name);
    if (data === undefined) return;
    this.#entries.delete(name);
    this.#bytes -= data.length;
  }
}
