// Checks that every stored case is readable by the runner, and that malformed cases are rejected.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { discoverCases, filterCases, loadCase, type CaseRef } from './case-file.js';
import { CaseFormatError } from './errors.js';
import { casesDir, findProjectRoot } from './runner.js';

const root = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

describe('stored cases', () => {
  const refs = discoverCases(casesDir(root));

  it('are found', () => {
    assert.ok(refs.length > 0);
    assert.ok(refs.every((r) => /^[\w-]+\/[\w-]+$/.test(r.id)));
  });

  for (const ref of refs) {
    it(`${ref.id} loads`, async () => {
      const spec = await loadCase(ref);
      assert.ok(spec.title, 'has a title');
      assert.ok(spec.source, 'names its source');
      assert.ok(spec.steps.length > 0);
    });
  }

  it('filter keeps ids containing any filter', () => {
    const ids = filterCases(refs, ['vtl/util-', 'nothing-like-this']).map((r) => r.id);
    assert.ok(ids.length > 0 && ids.every((id) => id.startsWith('vtl/util-')));
  });
});

describe('malformed cases', () => {
  async function load(yaml: string): Promise<unknown> {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-case-'));
    try {
      await writeFile(join(dir, 'case.yaml'), yaml);
      await writeFile(join(dir, 'openapi.yaml'), 'openapi: 3.0.1\n');
      const ref: CaseRef = { id: 'x/y', area: 'x', name: 'y', dir };
      return await loadCase(ref);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const head = 'title: t\nsource: s\ntemplate: openapi.yaml\n';

  it('accepts a minimal case and fills defaults', async () => {
    const spec = (await load(`${head}steps:\n  - http: {method: GET, path: /dev/x}\n    eventually: true\n  - sleep: 10\n`)) as {
      steps: Array<{ eventually?: unknown; action: { kind: string } }>;
    };
    assert.deepEqual(spec.steps[0]?.eventually, { timeoutMs: 10000, intervalMs: 250 });
    assert.equal(spec.steps[1]?.action.kind, 'sleep');
  });

  const bad: Array<[string, string]> = [
    ['unknown step key', `${head}steps:\n  - http: {path: /x}\n    expectt: {status: 200}\n`],
    ['unknown expect key for http', `${head}steps:\n  - http: {path: /x}\n    expect: {error: {}}\n`],
    ['two actions', `${head}steps:\n  - http: {path: /x}\n    sleep: 5\n`],
    ['sleep too long', `${head}steps:\n  - sleep: 6000\n`],
    ['missing template file', 'title: t\nsource: s\ntemplate: nope.yaml\nsteps:\n  - sleep: 1\n'],
    ['tokens without upstream', `${head}tokens: {a: {claims: {}}}\nsteps:\n  - sleep: 1\n`],
    ['${upstream} without upstream', `${head}steps:\n  - http: {path: '\${upstream}/x'}\n`],
    ['no steps', `${head}steps: []\n`],
  ];
  for (const [what, yaml] of bad) {
    it(`rejects ${what}`, async () => {
      await assert.rejects(load(yaml), CaseFormatError);
    });
  }
});
