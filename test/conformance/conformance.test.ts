// Runs every case under test/conformance/cases/<area>/<name>/ as its own node:test test, two at a time.

import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CASE_LIMIT_MS,
  casesDir,
  discoverCases,
  filterCases,
  findProjectRoot,
  formatFailure,
  missingGatehouse,
  runCase,
} from './runner.js';

// Compiled to dist/test/conformance/, so the root is found by walking up; cases are read from the source tree.
const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
const dir = casesDir(root);
// CONFORMANCE_FILTER="vtl/,gateway/cors" runs only the cases whose id contains one of the parts.
const cases = filterCases(discoverCases(dir), (process.env['CONFORMANCE_FILTER'] ?? '').split(','));
const notBuilt = missingGatehouse(root);
// Two cores: two gatehouse instances at once at most.
const concurrency = process.env['CONFORMANCE_CONCURRENCY'] === '1' ? 1 : 2;

describe('conformance', { concurrency }, () => {
  if (notBuilt) {
    it('gatehouse is built', () => assert.fail(notBuilt));
  }
  if (!cases.length) {
    it('has cases', () => assert.fail(`no case found under ${dir}`));
  }
  for (const ref of cases) {
    it(ref.id, { skip: notBuilt ? 'gatehouse is not built' : false, timeout: CASE_LIMIT_MS + 30_000 }, async () => {
      const result = await runCase(ref, { root });
      if (!result.passed) assert.fail(formatFailure(result));
    });
  }
});
