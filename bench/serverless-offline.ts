// The anchor of the lambda scenario: serverless-offline 13 on serverless 3, installed on demand into a cache folder
// outside the project's dependencies, serving the same handler behind an `http` event.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePorts, startCommand, TargetSkipped, type Running } from './servers.js';

export const SERVERLESS_OFFLINE_LABEL = 'serverless-offline 13';

/** Where the anchor is installed (BENCH_CACHE overrides). */
function cacheDir(): string {
  return process.env['BENCH_CACHE'] ?? join(homedir(), '.cache', 'gatehouse-bench');
}

const PACKAGES: [name: string, major: number][] = [
  ['serverless', 3],
  ['serverless-offline', 13],
];

function installedMajor(prefix: string, name: string): number | null {
  const file = join(prefix, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return null;
  return Number((JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version.split('.')[0]);
}

/** Installs serverless@3 and serverless-offline@13 from the npm registry once; TargetSkipped when that fails. */
async function ensureInstalled(prefix: string, log: (line: string) => void): Promise<void> {
  if (PACKAGES.every(([name, major]) => installedMajor(prefix, name) === major)) return;
  log(`  installing ${PACKAGES.map(([n, m]) => `${n}@${m}`).join(' ')} into ${prefix} (once)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', ...PACKAGES.map(([n, m]) => `${n}@${m}`)];
  await new Promise<void>((resolve, reject) => {
    execFile(npm, args, { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new TargetSkipped(`${SERVERLESS_OFFLINE_LABEL} could not be installed (${error.message.split('\n')[0]}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
      else resolve();
    });
  });
}

export interface ServerlessOfflineLaunch {
  /** A folder holding the handler file; serverless.yml is written there. */
  dir: string;
  /** `file.export` relative to dir. */
  handler: string;
  /** The route, e.g. /hello (served under /<stage>). */
  path: string;
  stage: string;
  startTimeoutMs: number;
  log: (line: string) => void;
}

/** Starts `serverless offline` with one function behind an http event; ready once the route answers 200. */
export async function startServerlessOffline(launch: ServerlessOfflineLaunch): Promise<Running> {
  const prefix = cacheDir();
  await ensureInstalled(prefix, launch.log);
  const [httpPort, lambdaPort] = (await freePorts(2)) as [number, number];
  writeFileSync(
    join(launch.dir, 'serverless.yml'),
    `service: gatehouse-bench
frameworkVersion: '3'
provider: {name: aws, runtime: nodejs20.x, stage: ${launch.stage}, region: us-east-1}
plugins: [serverless-offline]
functions:
  hello:
    handler: ${launch.handler}
    events: [{http: {path: ${launch.path.replace(/^\//, '')}, method: get}}]
custom:
  serverless-offline: {host: 127.0.0.1, httpPort: ${httpPort}, lambdaPort: ${lambdaPort}}
`,
  );
  const origin = `http://127.0.0.1:${httpPort}`;
  return startCommand({
    label: SERVERLESS_OFFLINE_LABEL,
    args: [join(prefix, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', 'start'],
    cwd: launch.dir,
    // No telemetry, update notices or dashboard prompts.
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', SLS_INTERACTIVE_SETUP_DISABLE: '1' },
    origin,
    readyUrl: `${origin}/${launch.stage}${launch.path}`,
    ready: (status) => status === 200,
    startTimeoutMs: launch.startTimeoutMs,
  });
}
