// One department's consumer alone:
//   pnpm --filter orders-store consumer -- --department sales

import { DEPARTMENTS, type Department } from '../fan-out.js';
import { parseCommandLine } from './command-line.js';
import { config } from './config.js';
import { tellParent } from './role-process.js';
import { launch, startLoggedDepartment } from './roles.js';

function departmentArgument(): Department {
  const usage = `usage: consumer --department <${DEPARTMENTS.join('|')}>`;
  try {
    const values = parseCommandLine({ department: { type: 'string' } });
    if (DEPARTMENTS.includes(values.department as Department)) return values.department as Department;
  } catch {}
  console.error(usage);
  process.exit(2);
}

const department = departmentArgument();
await launch(async (shop) => {
  const salesUrl = config.salesUrl ?? 'http://127.0.0.1:4000/sales';
  await startLoggedDepartment(department, shop, { salesUrl, slipDir: config.slipDir });
  shop.log.info(`${department} consumer ready`);
  tellParent({ ready: department });
  // Closing the connection (next, in launch) finishes the messages in hand.
  return async () => {};
});
