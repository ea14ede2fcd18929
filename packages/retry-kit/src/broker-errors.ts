// Every place the kit recognises what the broker (or the socket) said lives
// here: amqplib gives errors as text, so these are regular expressions.
import { ConnectError, type PreconditionFailed } from './errors.js';
import { redactText, redactUrl } from './url.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/**
 * Turns the error of a failed connection attempt into one clear line.
 * `permanent` errors (credentials, vhost, TLS) stop retrying at once: trying
 * again cannot fix them.
 */
export function classifyConnectError(
  error: unknown,
  url: string,
  urls: readonly string[],
): { error: ConnectError; permanent: boolean } {
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  const message = redactText(cause.message, urls);
  const where = redactUrl(url);
  const make = (kind: ConstructorParameters<typeof ConnectError>[0], text: string, permanent: boolean) => ({
    error: new ConnectError(kind, text, { cause }),
    permanent,
  });

  if (UNREACHABLE.has(code) || /ETIMEDOUT/.test(message)) {
    return make(
      'CONNECTION_REFUSED',
      `Nothing answers at ${where} (${code || 'timed out'}). Is RabbitMQ running there? Check AMQP_URL.`,
      false,
    );
  }
  if (/ACCESS.REFUSED|\b403\b/.test(message)) {
    const user = safeUser(url);
    return make('ACCESS_REFUSED', `RabbitMQ at ${where} refused user "${user}": wrong user name or password.`, true);
  }
  // RabbitMQ answers an unknown or forbidden vhost with connection.close 530,
  // which amqplib reports as "Expected ConnectionOpenOk; got <ConnectionClose ...>".
  if (/NOT.ALLOWED|\b530\b|Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    const vhost = safeVhost(url);
    return make(
      'VHOST_NOT_FOUND',
      `RabbitMQ at ${where} refused vhost "${vhost}": it does not exist or this user may not use it.`,
      true,
    );
  }
  if (
    /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) ||
    /certificate|SSL|TLS/i.test(message)
  ) {
    return make(
      'TLS',
      `TLS handshake with ${where} failed: ${message}. Check the CA, client certificate and host name.`,
      true,
    );
  }
  return make('CONNECT_FAILED', `Could not connect to ${where}: ${message}`, false);
}

function safeUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'guest';
  } catch {
    return '?';
  }
}

function safeVhost(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || '/';
  } catch {
    return '?';
  }
}

/** True when the broker refused a declaration because what exists has other settings (406). */
export function isPreconditionFailed(error: unknown): boolean {
  return /PRECONDITION.FAILED/.test(messageOf(error));
}

/** A PRECONDITION_FAILED message taken apart: which resource, which argument, its current and declared values. */
export function parsePreconditionFailed(brokerMessage: string): PreconditionFailed {
  // amqplib quotes the broker's text: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ..."
  const said = brokerMessage.replace(/^.*?PRECONDITION_FAILED - /, '').replace(/"$/, '');
  const named = /(queue|exchange) '([^']*)'/.exec(said);
  const values = /received (?:the value )?'?([^' ]*)'?.* but current is (?:the value )?'?([^' ]*)'?/.exec(said);
  return {
    said,
    kind: named?.[1] === 'queue' ? 'queue' : named ? 'exchange' : undefined,
    name: named?.[2],
    argument: /inequivalent arg '([^']+)'/.exec(said)?.[1],
    declared: values?.[1],
    current: values?.[2],
  };
}

/**
 * The broker's words when a declaration failed because the queue's node is
 * down, else undefined. RabbitMQ 3.x says "home node ... is down"; 4.0 says
 * "failed to perform operation on queue ... due to timeout".
 */
export function nodeDownReason(error: unknown): string | undefined {
  const message = messageOf(error);
  const nodeDown = /home node .* is down|failed to perform operation on queue .* due to timeout/;
  if (!/NOT.FOUND/.test(message) || !nodeDown.test(message)) return undefined;
  return message.replace(/^.*?NOT_FOUND - /, '').replace(/"$/, '');
}

/** True for amqplib's error of a nacked publish. */
export function isNack(error: Error): boolean {
  return /nacked/.test(error.message);
}

/** True when a channel closed because `exchange` does not exist (404 on publish). */
export function isMissingExchange(closeError: Error | undefined, exchange: string): boolean {
  return (
    closeError !== undefined &&
    /NOT.FOUND/.test(closeError.message) &&
    closeError.message.includes(`exchange '${exchange}'`)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error ?? '');
}
