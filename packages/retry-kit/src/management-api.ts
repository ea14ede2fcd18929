// The RabbitMQ management HTTP API, for what AMQP cannot tell: the queues of
// a vhost with their consumers and unacked counts. The kit's CLI (`inspect`)
// and the test harness both ask it through this client, so the address, the
// credentials and the errors are worked out in one place.
import { RetryKitError } from './errors.js';
import { redactUrl } from './url.js';

/** A queue as the management API lists it: the fields tools read (it sends more). */
export interface QueueInfo {
  name: string;
  vhost: string;
  durable: boolean;
  type?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  arguments: Record<string, unknown>;
}

/** Where the management API is and who asks it. */
export interface ManagementApiOptions {
  /** The API's address, e.g. `http://localhost:15672`; a user and password in it count unless given below. */
  url: string;
  /** @default the URL's user, else `guest` */
  username?: string;
  /** @default the URL's password, else `guest` */
  password?: string;
  /** How long one request may take. @default 10_000 */
  timeoutMs?: number;
}

/** A request the management API refused, or that nothing answered: one line, no password. */
export class ManagementApiError extends RetryKitError {
  readonly code = 'MANAGEMENT_API';
  /** The HTTP status, or undefined when nothing answered. */
  readonly status: number | undefined;
  /** What was said: the network error's code when nothing answered, else the API's reason. */
  readonly reason: string;

  constructor(message: string, status: number | undefined, reason: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.reason = reason;
  }
}

/**
 * The management API of the broker at `amqpUrl`: `managementUrl` (callers pass
 * RABBITMQ_MANAGEMENT_URL or their option), else port 15672 of the AMQP host;
 * the management URL's user and password, else the AMQP URL's, else guest.
 * The URL returned carries no credentials.
 */
export function resolveManagementApi(
  amqpUrl: string,
  managementUrl?: string,
): Required<Omit<ManagementApiOptions, 'timeoutMs'>> {
  const amqp = new URL(amqpUrl);
  const base = httpUrl(managementUrl ?? `http://${amqp.hostname}:15672`);
  const username = decodeURIComponent(base.username || amqp.username) || 'guest';
  const password = decodeURIComponent(base.password || amqp.password) || 'guest';
  base.username = '';
  base.password = '';
  return { url: base.toString().replace(/\/$/, ''), username, password };
}

/**
 * A small client for the management API: `request` for any call, typed
 * methods for the calls the kit's tools make.
 *
 * @example
 * const api = new ManagementApi(resolveManagementApi(amqpUrl, process.env.RABBITMQ_MANAGEMENT_URL));
 * const queues = await api.listQueues('/');
 */
export class ManagementApi {
  /** The API's address without credentials, for messages. */
  readonly where: string;
  readonly username: string;
  readonly #base: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;

  constructor({ url, username, password, timeoutMs = 10_000 }: ManagementApiOptions) {
    const base = httpUrl(url);
    this.username = username ?? (decodeURIComponent(base.username) || 'guest');
    const secret = password ?? (decodeURIComponent(base.password) || 'guest');
    base.username = '';
    base.password = '';
    this.#base = base.toString().replace(/\/$/, '');
    this.where = this.#base;
    this.#authorization = `Basic ${Buffer.from(`${this.username}:${secret}`).toString('base64')}`;
    this.#timeoutMs = timeoutMs;
  }

  /** `method` on `/api<path>`, with `body` as JSON; resolves with the answer's JSON (undefined if empty). */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}/api${path}`, {
        method,
        headers: { authorization: this.#authorization, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason = networkReason(error, this.#timeoutMs);
      throw new ManagementApiError(`Cannot reach the management API at ${this.where} (${reason}).`, undefined, reason, {
        cause: error,
      });
    }
    const text = await response.text();
    if (response.status === 401) {
      throw new ManagementApiError(
        `The management API at ${this.where} refused user "${this.username}".`,
        401,
        apiReason(text),
      );
    }
    if (!response.ok) {
      const reason = apiReason(text);
      throw new ManagementApiError(
        `The management API at ${this.where} answered ${response.status} to ${method} ${path}${reason ? `: ${reason}` : ''}.`,
        response.status,
        reason,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The queues of `vhost`. */
  async listQueues(vhost: string): Promise<QueueInfo[]> {
    try {
      return await this.request<QueueInfo[]>('GET', `/queues/${encodeURIComponent(vhost)}`);
    } catch (error) {
      if (error instanceof ManagementApiError && error.status === 404) {
        throw new ManagementApiError(`No vhost "${vhost}" at ${this.where}.`, 404, error.reason);
      }
      throw error;
    }
  }
}

function httpUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ManagementApiError(
      `Not a valid management API URL: ${redactUrl(url)} (expected http://user:password@host:15672)`,
      undefined,
      'invalid URL',
    );
  }
}

/** ECONNREFUSED, ENOTFOUND, a timeout: what a failed fetch says, in a word or two. */
function networkReason(error: unknown, timeoutMs: number): string {
  if ((error as Error).name === 'TimeoutError') return `no answer in ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** The API's `{"error": ..., "reason": ...}` as one line, else its text. */
function apiReason(text: string): string {
  let said = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown; reason?: unknown };
    said = String(parsed.reason ?? parsed.error ?? text);
  } catch {
    // Not JSON: the text as it is.
  }
  return said.replace(/\s+/g, ' ').trim().slice(0, 300);
}
