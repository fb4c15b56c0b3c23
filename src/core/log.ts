/** A small leveled logger writing lines to stderr; quiet in tests, one line per event. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  readonly level: LogLevel;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = ORDER[level];
  const at = (lvl: Exclude<LogLevel, 'silent'>) =>
    ORDER[lvl] >= threshold ? (message: string) => write(lvl === 'info' ? message : `[${lvl}] ${message}`) : () => {};
  return { level, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
