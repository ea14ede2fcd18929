import type { PublishKind } from '../src/index.js';

// OpenTelemetry's messaging semantic conventions (semantic-conventions
// docs/messaging/rabbitmq.md, messaging-spans.md, messaging-metrics.md), and
// the kit's own attributes and metrics under `retry_kit.`.

export const ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  bodySize: 'messaging.message.body.size',
  errorType: 'error.type',
  queue: 'retry_kit.queue',
  attempt: 'retry_kit.attempt',
  redelivered: 'retry_kit.redelivered',
  outcome: 'retry_kit.outcome',
  publishKind: 'retry_kit.publish.kind',
  publishQueue: 'retry_kit.publish.queue',
  delayMs: 'retry_kit.delay_ms',
  deadLetterReason: 'retry_kit.dead_letter.reason',
} as const;

export const METRIC = {
  handled: 'retry_kit.messages.handled',
  retries: 'retry_kit.retries.scheduled',
  deadLetters: 'retry_kit.dead_letters',
  handlerDuration: 'retry_kit.handler.duration',
  publishDuration: 'messaging.client.operation.duration',
} as const;

export const RABBITMQ = 'rabbitmq';

/** The buckets semconv advises for messaging durations, in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Publishes that carry their message's own trace context instead of starting one. */
export const CARRIES_ITS_CONTEXT: ReadonlySet<PublishKind> = new Set(['retry', 'dead-letter', 'redelivery']);

/** A publish's destination as semconv names it: `{exchange}:{routing key}`, the one that is set, or `amq.default`. */
export function publishDestination(exchange: string, routingKey: string): string {
  if (exchange && routingKey) return `${exchange}:${routingKey}`;
  return exchange || routingKey || 'amq.default';
}

/** A delivery's destination as semconv names it: `{exchange}:{routing key}:{queue}`, empty parts left out, a routing key equal to the queue once. */
export function processDestination(exchange: string, routingKey: string, queue: string): string {
  const parts = [exchange, routingKey === queue ? '' : routingKey, queue].filter(Boolean);
  return parts.join(':');
}

/** `error.type`: the error's class name, `_OTHER` for a thrown non-error. */
export function errorType(error: unknown): string {
  return error instanceof Error ? error.name : '_OTHER';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
