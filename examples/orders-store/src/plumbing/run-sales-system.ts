// The stand-in sales system alone, for running the roles apart:
//   pnpm --filter orders-store sales-system -- [--fail-first 3] [--fail-always] [--delay-ms 200]
// Listens on 127.0.0.1:4000 (SALES_PORT, 0 for any free port), where consumers look by default.

import { parseCommandLine } from './command-line.js';
import { createLog } from './log.js';
import { tellParent, underStart, whenParentGoes } from './role-process.js';
import { startSalesStandIn } from './sales-stand-in.js';

const usage = 'usage: sales-system [--fail-first <n>] [--fail-always] [--delay-ms <ms>]';
let options: { 'fail-first'?: string; 'fail-always'?: boolean; 'delay-ms'?: string };
try {
  options = parseCommandLine({
    'fail-first': { type: 'string' },
    'fail-always': { type: 'boolean' },
    'delay-ms': { type: 'string' },
  });
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const count = (name: 'fail-first' | 'delay-ms') => {
  const value = Number(options[name] ?? 0);
  if (Number.isInteger(value) && value >= 0) return value;
  console.error(`--${name} must be a whole number, not ${options[name]}\n${usage}`);
  process.exit(2);
};

const log = createLog().child({ role: 'sales system' });
const standIn = await startSalesStandIn(
  { failFirst: count('fail-first'), failAlways: options['fail-always'] ?? false, delayMs: count('delay-ms') },
  Number(process.env.SALES_PORT ?? 4000),
);
// A line per request at debug level (LOG_LEVEL=debug): under load, one per order would be most of the log.
standIn.onRequest = () => log.debug(`sale request ${standIn.requests} received`);
log.info(`listening on ${standIn.url}`);
tellParent({ url: standIn.url });
const stop = () => standIn.close().then(() => process.exit(0));
whenParentGoes(stop);
if (!underStart) process.on('SIGINT', stop);
process.on('SIGTERM', stop);
