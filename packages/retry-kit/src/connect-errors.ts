import { ConnectError } from './errors.js';
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
