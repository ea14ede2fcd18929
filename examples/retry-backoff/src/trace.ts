// One message's life as one OpenTelemetry trace: a handler that fails twice,
// then succeeds, and one that never does. The spans are kept in memory (the
// SDK's InMemorySpanExporter) and printed as a tree per message.
// Run: pnpm --filter retry-backoff trace
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { connect, connectOrExit, silentLogger } from 'retry-kit';
import { openTelemetry } from 'retry-kit/telemetry';
import { spanTrees } from './span-tree.js';

// Loaded with src/otel.ts (OTEL_EXPORTER_OTLP_ENDPOINT set), the spans go to
// that endpoint through the SDK it registered; otherwise they are kept here,
// with what an SDK set-up registers: async context and W3C trace context.
const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const exporter = new InMemorySpanExporter();
const tracerProvider = otlp
  ? undefined
  : new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
if (!otlp) {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

const check = await connectOrExit({ hint: 'Start one with: pnpm broker' });
await check.close();
const rabbit = await connect({
  logger: silentLogger,
  telemetry: openTelemetry({ tracerProvider }),
  retry: { attempts: 3, backoff: { type: 'exponential', initialDelay: 100 } },
  delays: { prefix: 'demo-trace' },
});
const queue = 'translations';
await rabbit.declare({ queues: [{ name: queue }] });
const dead = new Promise((resolve) => rabbit.once('dead-lettered', resolve));
const translated = new Promise<void>((resolve) => {
  void rabbit.consume<{ text: string }>(queue, async ({ text }, delivery) => {
    if (text === 'hopeless' || delivery.attempts < 2) throw new Error('translation API answered 503');
    resolve();
  });
});
await rabbit.sendToQueue(queue, { text: 'hello world' }, { messageId: 'hello world' });
await rabbit.sendToQueue(queue, { text: 'hopeless' }, { messageId: 'hopeless' });
await Promise.all([translated, dead]);
await rabbit.close(); // lets the last attempt end its span

if (otlp) {
  console.log(`The spans went to ${otlp}.`);
} else {
  console.log('Each span: when it started (after the message was published), how long it took, what came of it.\n');
  for (const lines of spanTrees(exporter.getFinishedSpans())) console.log(`${lines.join('\n')}\n`);
  await tracerProvider?.shutdown();
}
