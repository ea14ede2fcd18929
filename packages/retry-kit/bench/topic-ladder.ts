// The baseline the kit's ladder is measured against: the classic topic
// ladder (as NServiceBus and Kombu build it). Every message passes every
// level's topic exchange, in order, whether its bit is set or not.
import amqp from 'amqplib';

export interface TopicLadder {
  send(payload: object, delay: number): boolean;
  sent(): Promise<void>;
  close(): Promise<void>;
}

export async function topicLadder(
  url: string,
  target: string,
  levels: number,
  resolution: number,
): Promise<TopicLadder> {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  const level = (i: number) => `baseline.level.${i}`;
  const exchange = (i: number) => (i < 0 ? 'baseline.delivery' : `baseline.x.${i}`);
  await channel.assertExchange(exchange(-1), 'topic', { durable: true });
  await channel.bindQueue(target, exchange(-1), '#');
  for (let i = 0; i < levels; i++) {
    await channel.assertExchange(exchange(i), 'topic', { durable: true });
    await channel.assertQueue(level(i), {
      durable: true,
      messageTtl: 2 ** i * resolution,
      deadLetterExchange: exchange(i - 1),
    });
    // Routing key: one word per level, highest first, then the target.
    const before = Array.from({ length: levels - 1 - i }, () => '*');
    await channel.bindQueue(level(i), exchange(i), [...before, '1', '#'].join('.'));
    await channel.bindExchange(exchange(i - 1), exchange(i), [...before, '0', '#'].join('.'));
  }
  return {
    send(payload, delay) {
      const steps = Math.round(delay / resolution);
      const bits = Array.from({ length: levels }, (_, k) => String(Math.floor(steps / 2 ** (levels - 1 - k)) % 2));
      const body = Buffer.from(JSON.stringify(payload));
      return channel.publish(exchange(levels - 1), [...bits, target].join('.'), body, {
        persistent: true,
        contentType: 'application/json',
      });
    },
    sent: () => channel.waitForConfirms(),
    close: () => connection.close(),
  };
}
