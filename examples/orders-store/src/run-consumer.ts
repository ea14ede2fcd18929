// One department's consumer on its own, for running the roles apart:
//   pnpm --filter orders-store consumer -- --department sales
// DATA_DIR holds the store (default ../data); SALES_URL the sales system.
import { parseArgs } from 'node:util';
import { connectOrExit } from 'retry-kit';
import { DEPARTMENTS, type Department, openStore } from './db.js';
import { startDepartment } from './departments.js';

const { values } = parseArgs({ options: { department: { type: 'string' } } });
const department = values.department as Department;
if (!DEPARTMENTS.includes(department)) {
  console.error(`usage: consumer --department <${DEPARTMENTS.join('|')}>`);
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? new URL('../data/', import.meta.url).pathname;
const salesUrl = process.env.SALES_URL ?? 'http://127.0.0.1:4000/sales';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });
const db = openStore(`${dataDir}/orders.db`);
const events = await startDepartment(department, { db, rabbit, salesUrl, slipDir: `${dataDir}/slips` });
events.on('progress', (orderId, { state, attempts }) =>
  console.log(`order ${orderId} ${department}: ${state} (${attempts})`),
);
console.log(`${department} consumer ready`);
