// OpenTelemetry for a real service: load this before the program, and the
// kit's spans and metrics (connect({ telemetry: openTelemetry() })) go to an
// OTLP endpoint: Jaeger, Grafana Tempo, an OpenTelemetry Collector.
//   OTEL_SERVICE_NAME=translations OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \
//     node --import tsx --import ./src/otel.ts src/trace.ts
import { NodeSDK } from '@opentelemetry/sdk-node';

// Reads OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_*
// variables; registers the global tracer and meter providers, the async
// context manager and the W3C trace-context propagator.
const sdk = new NodeSDK();
sdk.start();
// Exports what is still buffered before the process exits.
process.once('beforeExit', () => void sdk.shutdown());
