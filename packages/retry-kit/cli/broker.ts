import amqp, { type ChannelModel } from 'amqplib';
import { ConnectError } from '../src/index.js';
import { classifyConnectError, parseUrl, resolveUrls } from '../src/tooling.js';

/**
 * One plain connection for a command (no recovery: a command that loses its
 * broker stops and says so). A broker that cannot be reached, or refuses,
 * is a ConnectError of one line, password redacted.
 */
export async function openBroker(url: string | undefined): Promise<ChannelModel> {
  const urls = resolveUrls(url);
  const target = urls[0]!;
  try {
    // No Nagle: a command waits on one small reply after another (get, commit),
    // and a delayed ACK would add 40 ms to each.
    return await amqp.connect(parseUrl(target), { noDelay: true });
  } catch (error) {
    if (error instanceof ConnectError) throw error;
    throw classifyConnectError(error, target, urls).error;
  }
}

/** Whether `queue` exists, and its ready count, without creating it (a missing queue closes the channel it was asked on). */
export async function queueDepth(connection: ChannelModel, queue: string): Promise<number | undefined> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } catch {
    return undefined;
  }
}
