import type { Channel, Options } from 'amqplib';
import { isPreconditionFailed, parsePreconditionFailed } from './broker-errors.js';
import { TopologyConflictError } from './errors.js';

/** A queue to declare. Durable by default: RabbitMQ 4.3 refuses transient non-exclusive queues. */
export interface QueueSpec {
  name: string;
  /** @default 'classic' */
  type?: 'classic' | 'quorum';
  /** @default true */
  durable?: boolean;
  /** @default false */
  exclusive?: boolean;
  /** Most messages the queue holds; what happens past it is `overflow`. */
  maxLength?: number;
  /** @default the broker's, 'drop-head' */
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  /** Quorum queues: `at-least-once` needs `overflow: 'reject-publish'`. */
  deadLetterStrategy?: 'at-most-once' | 'at-least-once';
  /** Queue-level TTL of every message, in ms. */
  messageTtl?: number;
  /** Delete the queue after it is unused for this long, in ms. */
  expires?: number;
  /** Quorum queues: deliveries before a message is dead-lettered. */
  deliveryLimit?: number;
  /** Any other `x-` arguments. */
  arguments?: Record<string, unknown>;
}

/** An exchange to declare. */
export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'fanout' | 'topic' | 'headers';
  /** @default true */
  durable?: boolean;
  /** Deleted once its last binding is gone. @default false */
  autoDelete?: boolean;
  /** Where messages no binding takes go instead. */
  alternateExchange?: string;
  arguments?: Record<string, unknown>;
}

/** Binds a queue (or an exchange) to a source exchange. */
export type BindingSpec =
  | { source: string; queue: string; routingKey?: string; arguments?: Record<string, unknown> }
  | { source: string; exchange: string; routingKey?: string; arguments?: Record<string, unknown> };

/** Exchanges, queues and bindings, declared in that order. */
export interface Topology {
  exchanges?: ExchangeSpec[];
  queues?: QueueSpec[];
  bindings?: BindingSpec[];
}

export function queueArguments(spec: QueueSpec): Options.AssertQueue {
  const args: Record<string, unknown> = { ...spec.arguments };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) args[key] = value;
  };
  set('x-queue-type', spec.type === 'quorum' ? 'quorum' : undefined);
  set('x-max-length', spec.maxLength);
  set('x-overflow', spec.overflow);
  set('x-dead-letter-exchange', spec.deadLetterExchange);
  set('x-dead-letter-routing-key', spec.deadLetterRoutingKey);
  set('x-dead-letter-strategy', spec.deadLetterStrategy);
  set('x-message-ttl', spec.messageTtl);
  set('x-expires', spec.expires);
  set('x-delivery-limit', spec.deliveryLimit);
  return { durable: spec.durable ?? true, exclusive: spec.exclusive ?? false, arguments: args };
}

/** Declares everything in `topology` on `channel`: exchanges, then queues, then bindings. */
export async function assertTopology(channel: Channel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges ?? []) {
    await explainConflict(`Exchange "${exchange.name}"`, () =>
      channel.assertExchange(exchange.name, exchange.type, {
        durable: exchange.durable ?? true,
        autoDelete: exchange.autoDelete ?? false,
        ...(exchange.alternateExchange ? { alternateExchange: exchange.alternateExchange } : {}),
        ...(exchange.arguments ? { arguments: exchange.arguments } : {}),
      }),
    );
  }
  for (const queue of topology.queues ?? []) {
    await explainConflict(`Queue "${queue.name}"`, () => channel.assertQueue(queue.name, queueArguments(queue)));
  }
  for (const binding of topology.bindings ?? []) {
    const key = binding.routingKey ?? '';
    if ('queue' in binding) await channel.bindQueue(binding.queue, binding.source, key, binding.arguments);
    else await channel.bindExchange(binding.exchange, binding.source, key, binding.arguments);
  }
}

async function explainConflict<T>(resource: string, declare: () => Promise<T>): Promise<T> {
  try {
    return await declare();
  } catch (error) {
    throw asTopologyConflict(error, resource);
  }
}

/** amqplib's PRECONDITION_FAILED channel error as a {@link TopologyConflictError}; any other error as it is. */
export function asTopologyConflict(error: unknown, resource?: string): unknown {
  if (!isPreconditionFailed(error)) return error;
  return new TopologyConflictError(parsePreconditionFailed((error as Error).message), resource);
}
