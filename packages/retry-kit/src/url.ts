import type { Options } from 'amqplib';
import { ConnectError } from './errors.js';

/** The URL used when none is given and AMQP_URL is not set. */
export const DEFAULT_URL = 'amqp://localhost';

/** `amqp://user:secret@host` → `amqp://user:***@host`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/** Replaces every password of `urls` that appears in `text`. */
export function redactText(text: string, urls: readonly string[]): string {
  let result = text;
  for (const url of urls) {
    const password = passwordOf(url);
    if (password) result = result.split(password).join('***');
    result = result.split(url).join(redactUrl(url));
  }
  return result;
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** The URLs to try: the option, else AMQP_URL (comma-separated for a cluster), else amqp://localhost. */
export function resolveUrls(url: string | readonly string[] | undefined): string[] {
  const given = url ?? process.env.AMQP_URL ?? DEFAULT_URL;
  const list = (typeof given === 'string' ? given.split(',') : [...given]).map((entry) => entry.trim()).filter(Boolean);
  if (list.length === 0) throw new ConnectError('BAD_URL', 'No broker URL given (url option or AMQP_URL is empty)');
  return list;
}

/** Parses an AMQP URL into amqplib's object form, so the kit can switch between cluster nodes. */
export function parseUrl(url: string): Options.Connect {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectError(
      'BAD_URL',
      `Not a valid broker URL: ${redactUrl(url)} (expected amqp://user:password@host:port/vhost)`,
    );
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ConnectError('BAD_URL', `Broker URL must start with amqp:// or amqps://, got ${redactUrl(url)}`);
  }
  const query = parsed.searchParams;
  const number = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '');
  const options: Options.Connect = {
    protocol: parsed.protocol.slice(0, -1),
    hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'amqps:' ? 5671 : 5672,
    username: parsed.username ? decodeURIComponent(parsed.username) : 'guest',
    password: parsed.password ? decodeURIComponent(parsed.password) : 'guest',
    vhost: parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : '/',
  };
  const heartbeat = number('heartbeat');
  const frameMax = number('frame_max') ?? number('frameMax');
  const channelMax = number('channel_max') ?? number('channelMax');
  if (heartbeat !== undefined) options.heartbeat = heartbeat;
  if (frameMax !== undefined) options.frameMax = frameMax;
  if (channelMax !== undefined) options.channelMax = channelMax;
  return options;
}
