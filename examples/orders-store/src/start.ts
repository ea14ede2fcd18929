// pnpm --filter orders-store start: the whole shop in one process (store,
// API and page, outbox relay, the three departments, a stand-in sales
// system), until Ctrl+C.
import { fileURLToPath } from 'node:url';
import { connectOrExit } from 'retry-kit';
import { buildApi } from './api.js';
import { DEPARTMENTS, openStore } from './db.js';
import { startDepartment } from './departments.js';
import { startRelay } from './relay.js';
import { startSalesStandIn } from './sales-standin.js';
import { startStatusFeed } from './status-feed.js';

const dataDir = fileURLToPath(new URL('../data/', import.meta.url));
const port = Number(process.env.PORT ?? 3000);

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', closeOnSignals: false });
const db = openStore(`${dataDir}orders.db`);
const sales = process.env.SALES_URL ? undefined : await startSalesStandIn();
const salesUrl = process.env.SALES_URL ?? sales!.url;
for (const department of DEPARTMENTS) {
  await startDepartment(department, { db, rabbit, salesUrl, slipDir: `${dataDir}slips` });
}
const relay = startRelay(db, rabbit);
const feed = await startStatusFeed(rabbit);
const app = buildApi(db, relay.wake, feed, true);
await app.listen({ host: '127.0.0.1', port });
console.log(`Orders store: http://127.0.0.1:${port}/  (sales system: ${salesUrl}; packing slips in ${dataDir}slips)`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await relay.stop();
  await rabbit.close();
  await sales?.close();
  db.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
