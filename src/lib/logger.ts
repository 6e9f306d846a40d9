import { pino } from 'pino';

/** The log levels Switchboard uses, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type LogFn = (objOrMsg: object | string, msg?: string) => void;

/** The one logging interface injected everywhere; pino's logger satisfies it. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A JSON logger on stderr at `level`. */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { app: 'switchboard' } }, pino.destination(2)) as unknown as Logger;
}

const noop: LogFn = () => {};

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
