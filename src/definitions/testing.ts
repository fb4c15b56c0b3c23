/** Test support: where the fixture definitions are, whether tests run from `dist/` or from a separate build. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const candidates = [
  path.join(here, 'fixtures'),
  path.resolve(here, '../../../src/definitions/fixtures'),
  path.resolve(process.cwd(), 'src/definitions/fixtures'),
];

export const FIXTURES = candidates.find((dir) => existsSync(path.join(dir, 'openapi3-rest.yaml'))) ?? candidates[0]!;

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}
