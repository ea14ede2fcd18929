import amqp from 'amqplib';
import { redactUrl } from './redact.js';

/**
 * Connects once to a user-supplied AMQP URL and turns the usual mistakes into
 * one line each: nothing listening, credentials refused, vhost missing.
 */
export async function checkAmqpUrl(url: string): Promise<void> {
  const shown = redactUrl(url);
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(url, { timeout: 5_000 });
  } catch (error) {
    const message = (error as Error).message;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /ETIMEDOUT/.test(message)) {
      throw new Error(`Nothing answers at ${shown} (${code ?? 'timed out'}): is RabbitMQ running? Try "pnpm broker".`);
    }
    if (/ACCESS_REFUSED|403/.test(message)) {
      throw new Error(`RabbitMQ at ${shown} refused the user name or password.`);
    }
    if (/NOT_ALLOWED|530|Expected ConnectionOpenOk; got <ConnectionClose/i.test(message)) {
      const vhost = decodeURIComponent(new URL(url).pathname.slice(1)) || '/';
      throw new Error(`RabbitMQ at ${shown} refused vhost "${vhost}": it does not exist or this user may not use it.`);
    }
    throw new Error(`Could not connect to ${shown}: ${message.replaceAll(url, shown)}`);
  }
  await connection.close();
}
