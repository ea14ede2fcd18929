import amqp from 'amqplib';
import { classifyConnectError } from 'retry-kit/tooling';

/**
 * Connects once to a user-supplied AMQP URL and turns the usual mistakes into
 * one line each, as the kit does for its users: nothing listening,
 * credentials refused, vhost missing, TLS.
 */
export async function checkAmqpUrl(url: string): Promise<void> {
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(url, { timeout: 5_000 });
  } catch (error) {
    throw classifyConnectError(error, url, [url]).error;
  }
  await connection.close();
}
