import { ManagementApi, ManagementApiError, parseUrl, resolveManagementApi } from '../src/tooling.js';
import { CommandError } from './errors.js';

export interface QueueStats {
  name: string;
  type?: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

/**
 * The queues of the AMQP URL's vhost, from the management API: the only
 * place RabbitMQ lists queues and counts unacked messages. Its address is
 * `managementUrl`, else RABBITMQ_MANAGEMENT_URL, else port 15672 of the AMQP
 * host; credentials from it, else from the AMQP URL.
 */
export async function listQueues(amqpUrl: string, managementUrl: string | undefined): Promise<QueueStats[]> {
  try {
    const api = new ManagementApi(resolveManagementApi(amqpUrl, managementUrl ?? process.env.RABBITMQ_MANAGEMENT_URL));
    return await api.listQueues(parseUrl(amqpUrl).vhost ?? '/');
  } catch (error) {
    if (!(error instanceof ManagementApiError)) throw error;
    // Nothing answered there (or the address is not one): say how to point inspect elsewhere.
    const hint = ': inspect needs it to list queues. Set RABBITMQ_MANAGEMENT_URL or --management-url.';
    throw new CommandError(error.status === undefined ? error.message.replace(/\.$/, hint) : error.message, {
      cause: error,
    });
  }
}
