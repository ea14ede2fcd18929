import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * The shop's log: pino, printed readably (time, level, role, message; no
 * pid/hostname noise). LOG_FORMAT=json prints pino's JSON lines instead, for
 * a log collector. Synchronous, so the last lines before an exit are kept.
 * Each part logs through a child: `log.child({ role: 'api' })`.
 */
export function createLog(): Logger {
  const level = process.env.LOG_LEVEL ?? 'info';
  if (process.env.LOG_FORMAT === 'json') return pino({ level });
  const stream = pretty({
    sync: true,
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,role,reqId',
    messageFormat: '{if role}{role}: {end}{msg}',
  });
  return pino({ level }, stream);
}
