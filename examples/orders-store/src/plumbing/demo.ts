// pnpm --filter orders-store demo: the shop for a moment, for the tour. Three
// orders placed over HTTP while the sales system fails its first two calls,
// each department's progress logged, then every order's status, then exit.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connectOrExit } from 'retry-kit';
import { DEPARTMENTS } from '../fan-out.js';
import { startRelay } from '../outbox.js';
import { createLog } from './log.js';
import { startApi, startLoggedDepartment } from './roles.js';
import { startSalesStandIn } from './sales-stand-in.js';
import { openStore } from './store.js';
import { randomOrder, waitUntilSettled } from './traffic.js';

const log = createLog();
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', logger: log.child({ role: 'rabbitmq' }) });
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orders-demo-'));
const db = openStore(path.join(dataDir, 'orders.db'));
const shop = { db, rabbit, log };
const sales = await startSalesStandIn({ failFirst: 2 });
for (const department of DEPARTMENTS) {
  await startLoggedDepartment(department, shop, { salesUrl: sales.url, slipDir: path.join(dataDir, 'slips') });
}
const relay = startRelay(db, rabbit);
const api = await startApi(shop, 0, relay.wake);
const apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;

const ids: number[] = [];
for (let n = 0; n < 3; n++) {
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(randomOrder()),
  });
  ids.push(((await response.json()) as { id: number }).id);
}
const pending = await waitUntilSettled(apiUrl, ids, { timeoutMs: 30_000 });
for (const id of ids) {
  const order = await (await fetch(`${apiUrl}/orders/${id}`)).json();
  console.log(JSON.stringify(order));
}
console.log(`Packing slips in ${path.join(dataDir, 'slips')}. Run the shop yourself: pnpm --filter orders-store start`);

await api.close();
await relay.stop();
await rabbit.close();
await sales.close();
db.close();
process.exit(pending.length === 0 ? 0 : 1);
