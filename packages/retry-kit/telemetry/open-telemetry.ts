import {
  type Attributes,
  type Context,
  context,
  type Link,
  type MeterProvider,
  metrics,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { AttemptEnd, AttemptFacts, AttemptTrace, PublishFacts, PublishTrace, Telemetry } from '../src/index.js';
import {
  ATTR,
  CARRIES_ITS_CONTEXT,
  DURATION_BUCKETS,
  errorMessage,
  errorType,
  METRIC,
  processDestination,
  publishDestination,
  RABBITMQ,
} from './conventions.js';

/** Where `openTelemetry()` sends what it records. */
export interface OpenTelemetryOptions {
  /** Where spans go. @default the global one (`trace.getTracerProvider()`), a no-op until an SDK registers one */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global one (`metrics.getMeterProvider()`), a no-op until an SDK registers one */
  meterProvider?: MeterProvider;
}

const SCOPE = 'retry-kit';

/**
 * Traces and metrics through `@opentelemetry/api`: one trace per message, its
 * publish, a span per handling attempt, and the retries and dead letter each
 * attempt publishes. Give it to `connect({ telemetry })`.
 *
 * @example
 * const rabbit = await connect({ telemetry: openTelemetry() });
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const handled = meter.createCounter(METRIC.handled, {
    description: 'Handling attempts, by queue and outcome.',
    unit: '{message}',
  });
  const retries = meter.createCounter(METRIC.retries, {
    description: 'Retries stored in a delay queue (confirmed), by queue.',
    unit: '{message}',
  });
  const deadLetters = meter.createCounter(METRIC.deadLetters, {
    description: 'Messages stored in their dead-letter queue (confirmed), by queue and reason.',
    unit: '{message}',
  });
  const handlerDuration = meter.createHistogram(METRIC.handlerDuration, {
    description: 'How long handlers ran, by queue and outcome.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const publishDuration = meter.createHistogram(METRIC.publishDuration, {
    description: 'From publish to the broker’s confirm, by destination and kind.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });

  function publishing(facts: PublishFacts): PublishTrace {
    const startedAt = performance.now();
    const active = context.active();
    const destination = publishDestination(facts.exchange, facts.routingKey);
    const attributes: Attributes = {
      [ATTR.system]: RABBITMQ,
      [ATTR.operationType]: 'send',
      [ATTR.operationName]: 'publish',
      [ATTR.destinationName]: destination,
      [ATTR.messageId]: facts.messageId,
      [ATTR.bodySize]: facts.bodySize,
      [ATTR.publishKind]: facts.kind,
    };
    if (facts.routingKey) attributes[ATTR.routingKey] = facts.routingKey;
    if (facts.destination !== undefined) attributes[ATTR.publishQueue] = facts.destination;
    if (facts.delay !== undefined) attributes[ATTR.delayMs] = facts.delay;
    if (facts.deadLetterReason !== undefined) attributes[ATTR.deadLetterReason] = facts.deadLetterReason;
    if (facts.attemptNumber !== undefined) attributes[ATTR.attempt] = facts.attemptNumber;
    const span = tracer.startSpan(`publish ${destination}`, { kind: SpanKind.PRODUCER, attributes }, active);
    // A retry, dead letter or put-back is the same message: it keeps the
    // context it was published with, so every attempt joins one trace.
    const scope = trace.setSpan(active, span);
    if (!CARRIES_ITS_CONTEXT.has(facts.kind)) propagation.inject(scope, facts.headers);

    // The AMQP publish runs in the span's context: an amqplib instrumentation's own span is its child.
    const run = <T>(send: () => Promise<T>): Promise<T> => context.with(scope, send);
    const end = (error?: unknown) => {
      const metricAttributes: Attributes = {
        [ATTR.system]: RABBITMQ,
        [ATTR.operationType]: 'send',
        [ATTR.operationName]: 'publish',
        [ATTR.destinationName]: destination,
        [ATTR.publishKind]: facts.kind,
      };
      if (error !== undefined) {
        failed(span, error);
        metricAttributes[ATTR.errorType] = errorType(error);
      } else if (facts.kind === 'retry') {
        retries.add(1, { [ATTR.system]: RABBITMQ, [ATTR.queue]: facts.sourceQueue ?? destination });
      } else if (facts.kind === 'dead-letter') {
        deadLetters.add(1, {
          [ATTR.system]: RABBITMQ,
          [ATTR.queue]: facts.sourceQueue ?? destination,
          [ATTR.deadLetterReason]: facts.deadLetterReason ?? 'unknown',
        });
      }
      span.end();
      publishDuration.record((performance.now() - startedAt) / 1000, metricAttributes);
    };
    return { run, end };
  }

  function handling(facts: AttemptFacts): AttemptTrace {
    const { queue, delivery, attemptNumber } = facts;
    const { fields, properties, content } = delivery.raw;
    // The message's own context (its publish span) is the parent of every
    // attempt: the attempts are siblings, in time order, in one trace.
    const parent = propagation.extract(ROOT_CONTEXT, delivery.headers);
    const attributes: Attributes = {
      [ATTR.system]: RABBITMQ,
      [ATTR.operationType]: 'process',
      [ATTR.operationName]: 'process',
      [ATTR.destinationName]: processDestination(fields.exchange, fields.routingKey, queue),
      [ATTR.deliveryTag]: fields.deliveryTag,
      [ATTR.bodySize]: content.length,
      [ATTR.queue]: queue,
      [ATTR.attempt]: attemptNumber,
      [ATTR.redelivered]: delivery.redelivered,
    };
    if (fields.routingKey) attributes[ATTR.routingKey] = fields.routingKey;
    if (delivery.messageId !== undefined) attributes[ATTR.messageId] = delivery.messageId;
    if (typeof properties.correlationId === 'string') attributes[ATTR.conversationId] = properties.correlationId;
    const span = tracer.startSpan(
      `process ${queue}`,
      { kind: SpanKind.CONSUMER, attributes, links: ambientLink() },
      parent,
    );
    const scope: Context = trace.setSpan(parent, span);

    return {
      run: (work) => context.with(scope, work),
      end({ outcome, error, handlerMs }: AttemptEnd) {
        span.setAttribute(ATTR.outcome, outcome);
        const metricAttributes: Attributes = { [ATTR.system]: RABBITMQ, [ATTR.queue]: queue, [ATTR.outcome]: outcome };
        if (error !== undefined && outcome !== 'acked') {
          failed(span, error);
          span.recordException(error instanceof Error ? error : String(error));
          metricAttributes[ATTR.errorType] = errorType(error);
        }
        span.end();
        handled.add(1, metricAttributes);
        if (handlerMs !== undefined) handlerDuration.record(handlerMs / 1000, metricAttributes);
      },
    };
  }

  return { publishing, handling };
}

/**
 * A span already active where a delivery arrives (instrumentation-amqplib's
 * own `process` span, say) is linked to, not made the parent: semconv's advice
 * when a process span takes the message's context as its parent.
 */
function ambientLink(): Link[] | undefined {
  const ambient = trace.getSpanContext(context.active());
  return ambient && trace.isSpanContextValid(ambient) ? [{ context: ambient }] : undefined;
}

function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
  span.setAttribute(ATTR.errorType, errorType(error));
}
