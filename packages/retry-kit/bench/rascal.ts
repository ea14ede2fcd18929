// The retry round trip through rascal, the retry layer on amqplib a user
// would most likely pick instead: its delayed-retry recipe (README,
// "Chaining Recovery Strategies"), where a failed message is forwarded to a
// delay exchange with a CC key, waits in a TTL queue, and is dead-lettered
// back to its queue through a retry exchange; the original is acked once the
// broker has confirmed the forward. That is the kit's own shape: the broker
// holds the delay, the prefetch slot is free meanwhile, and a crash loses
// nothing. (rascal's `republish` with `defer` instead holds the unacked
// message in a timer in the client for the delay, then republishes it
// straight back: a delay that spends prefetch and is not a broker-side retry.)
import { createRequire } from 'node:module';
import { firstAttemptFails } from './first-attempt-fails.js';

/** The part of rascal's (untyped) API this bench uses. */
interface RascalMessage {
  properties: { headers?: { rascal?: { recovery?: Record<string, { forwarded?: number }> } } };
}
type AckOrNack = (error?: Error, recovery?: object[]) => void;
interface RascalSubscription {
  on(event: 'message', listener: (message: RascalMessage, content: unknown, ackOrNack: AckOrNack) => void): this;
  on(event: 'error' | 'invalid_content' | 'redeliveries_exceeded', listener: (error: Error) => void): this;
}
interface RascalBroker {
  subscribe(name: string): Promise<RascalSubscription>;
  on(event: 'error', listener: (error: Error) => void): this;
  shutdown(): Promise<void>;
}
interface Rascal {
  BrokerAsPromised: { create(config: object): Promise<RascalBroker> };
  withDefaultConfig(config: object): object;
}

const rascal = createRequire(import.meta.url)('rascal') as Rascal;

/** A rascal broker consuming `queue` (which it declares, with the delay and retry exchanges and the delay queue). */
export interface RascalRoundTrip {
  /** Starts consuming; resolves when `total` messages have succeeded (each after failing once). */
  consume(total: number): Promise<void>;
  shutdown(): Promise<void>;
}

export async function rascalRoundTrip(url: string, queue: string, delay: number): Promise<RascalRoundTrip> {
  const delayExchange = `${queue}.delay`;
  const retryExchange = `${queue}.retry`;
  const delayQueue = `${queue}.delay.${delay}`;
  const delayKey = `delay.${delay}`;
  const vhost = decodeURIComponent(new URL(url).pathname.slice(1)) || '/';
  const broker = await rascal.BrokerAsPromised.create(
    rascal.withDefaultConfig({
      vhosts: {
        [vhost]: {
          connection: { url },
          exchanges: [delayExchange, retryExchange],
          queues: {
            [queue]: {},
            [delayQueue]: {
              options: { arguments: { 'x-message-ttl': delay, 'x-dead-letter-exchange': retryExchange } },
            },
          },
          bindings: [`${delayExchange}[${delayKey}] -> ${delayQueue}`, `${retryExchange}[${queue}.#] -> ${queue}`],
          publications: { retry_later: { exchange: delayExchange, options: { CC: [delayKey] } } },
          subscriptions: { work: { queue, prefetch: 100 } },
        },
      },
    }),
  );
  broker.on('error', (error) => console.error(`[bench] rascal: ${error.message}`));
  // As rascal's README chains them: forward to the delay queue, then nack (dead letter) when attempts run out.
  const recovery = [{ strategy: 'forward', publication: 'retry_later', attempts: 10 }, { strategy: 'nack' }];
  return {
    async consume(total) {
      const subscription = await broker.subscribe('work');
      let succeeded = 0;
      await new Promise<void>((resolve, reject) => {
        subscription.on('error', reject);
        subscription.on('invalid_content', reject);
        subscription.on('redeliveries_exceeded', reject);
        subscription.on('message', (message, _content, ackOrNack) => {
          const forwarded = message.properties.headers?.rascal?.recovery?.[queue]?.forwarded ?? 0;
          try {
            firstAttemptFails(forwarded);
          } catch (error) {
            return ackOrNack(error as Error, recovery);
          }
          ackOrNack();
          if (++succeeded === total) resolve();
        });
      });
    },
    shutdown: () => broker.shutdown(),
  };
}
