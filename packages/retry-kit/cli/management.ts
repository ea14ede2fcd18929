import { redactUrl } from '../src/url.js';

export interface QueueStats {
  name: string;
  type?: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

/** A command that cannot do its job: one line, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

/**
 * The queues of the AMQP URL's vhost, from the management API: the only
 * place RabbitMQ lists queues and counts unacked messages. Its address is
 * `managementUrl`, else RABBITMQ_MANAGEMENT_URL, else port 15672 of the AMQP
 * host; credentials from it, else from the AMQP URL.
 */
export async function listQueues(amqpUrl: string, managementUrl: string | undefined): Promise<QueueStats[]> {
  const amqp = new URL(amqpUrl);
  const base = new URL(managementUrl ?? process.env.RABBITMQ_MANAGEMENT_URL ?? `http://${amqp.hostname}:15672`);
  const user = decodeURIComponent(base.username || amqp.username || 'guest');
  const password = decodeURIComponent(base.password || amqp.password || 'guest');
  const vhost = amqp.pathname.length > 1 ? decodeURIComponent(amqp.pathname.slice(1)) : '/';
  const where = redactUrl(base.origin);
  let response: Response;
  try {
    response = await fetch(
      `${base.origin}/api/queues/${encodeURIComponent(vhost)}?columns=name,type,messages_ready,messages_unacknowledged,consumers`,
      {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
        signal: AbortSignal.timeout(10_000),
      },
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CommandError(
      `Cannot reach the management API at ${where} (${code}): inspect needs it to list queues. Set RABBITMQ_MANAGEMENT_URL or --management-url.`,
    );
  }
  if (response.status === 401) throw new CommandError(`The management API at ${where} refused user "${user}".`);
  if (response.status === 404) throw new CommandError(`No vhost "${vhost}" at ${where}.`);
  if (!response.ok) throw new CommandError(`The management API at ${where} answered ${response.status}.`);
  return (await response.json()) as QueueStats[];
}
