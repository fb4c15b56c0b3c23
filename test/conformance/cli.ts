// Command line runner: `node dist/test/conformance/cli.js [-v] [--keep] [filter...]` prints PASS/FAIL per case.

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casesDir, discoverCases, filterCases, findProjectRoot, missingGatehouse, runCases, type CaseResult } from './runner.js';

function indent(text: string): string {
  return text.replace(/\n/g, '\n    ');
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const keepTemp = argv.includes('--keep');
  const filters = argv.filter((a) => !a.startsWith('-'));
  const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  const notBuilt = missingGatehouse(root);
  if (notBuilt) {
    console.error(notBuilt);
    return 2;
  }
  const cases = filterCases(discoverCases(casesDir(root)), filters);
  if (!cases.length) {
    console.error(`no case matches ${filters.join(' ') || '(any)'} under ${casesDir(root)}`);
    console.log('0 passed, 0 failed');
    return 1;
  }
  const concurrency = process.env['CONFORMANCE_CONCURRENCY'] === '1' ? 1 : 2;
  const print = (r: CaseResult) => {
    if (r.passed) console.log(`PASS ${r.id}`);
    else {
      console.log(`FAIL ${r.id}: ${indent(r.reason ?? 'failed')}`);
      if (verbose && r.log && !r.reason?.includes(r.log)) console.log(`    ${indent(r.log)}`);
    }
  };
  const results = await runCases(cases, { root, keepTemp }, concurrency, print);
  const passed = results.filter((r) => r.passed).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}

// `node --test dist/test/` runs every .js under a test/ folder as a test file (NODE_TEST_CONTEXT is
// set there); this file must then do nothing instead of running every case a second time.
if (!process.env['NODE_TEST_CONTEXT']) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 2;
    },
  );
}
