// pnpm bench: every benchmark, on one broker, printed as JSON lines.
import { breaker } from './breaker.js';
import { benchBroker } from './broker.js';
import { delays } from './delays.js';
import { retryRoundTrip } from './retry-roundtrip.js';
import { throughput } from './throughput.js';

const broker = await benchBroker();
try {
  await throughput(broker);
  await retryRoundTrip(broker);
  await delays(broker);
  await breaker(broker);
} finally {
  await broker.done();
}
