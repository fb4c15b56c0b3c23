// Bundles the compiled CLI (dist/src/cli/main.js) into one file, dist/gatehouse.mjs: what `gatehouse`
// and `npm start` run. Loading ~450 separate ES modules was most of the start-up time; one file
// loads in a fraction of it. Native, heavy or rarely used packages stay real imports, loaded on
// first use. Lambda's worker and child entry scripts stay separate files under dist/src/lambda/.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/gatehouse.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'redis', 'esbuild', 'jsonata', 'undici', '@aws-sdk/credential-provider-node'],
  // CommonJS packages in the bundle (ajv) call require() for Node built-ins.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
