import type pg from 'pg';

let loading: Promise<typeof pg> | null = null;

/** The pg driver, loaded on first use: importing it costs start-up time that a template without databases should not pay. */
export function loadPg(): Promise<typeof pg> {
  return (loading ??= import('pg').then((module) => module.default));
}
