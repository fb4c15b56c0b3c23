// Imports packages the runner needs only for some cases (jose, AWS SDK clients) by a computed name.

import { SetupError } from './errors.js';

/** A computed specifier keeps tsc from requiring the package; a missing one gives a clear case failure. */
export async function importOptional<T>(specifier: string, neededFor: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new SetupError(
        `${neededFor} needs the package "${specifier}", which could not be loaded (add it to devDependencies): ${(err as Error).message}`,
      );
    }
    throw err;
  }
}
