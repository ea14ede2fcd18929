// A department's consumer alone, or several sharing one process and connection:
//   pnpm --filter orders-store consumer -- --department sales [--department marketing ...]

import { DEPARTMENTS, type Department } from '../fan-out.js';
import { parseCommandLine } from './command-line.js';
import { config } from './config.js';
import { tellParent } from './role-process.js';
import { launch, startLoggedDepartment } from './roles.js';

function departmentArguments(): Department[] {
  const usage = `usage: consumer --department <${DEPARTMENTS.join('|')}> [--department ...]`;
  try {
    const { department = [] } = parseCommandLine({ department: { type: 'string', multiple: true } });
    const known = department.filter((name): name is Department => DEPARTMENTS.includes(name as Department));
    if (known.length > 0 && known.length === department.length) return [...new Set(known)];
  } catch {}
  console.error(usage);
  process.exit(2);
}

const departments = departmentArguments();
await launch(async (shop) => {
  const salesUrl = config.salesUrl ?? 'http://127.0.0.1:4000/sales';
  for (const department of departments) {
    await startLoggedDepartment(department, shop, { salesUrl, slipDir: config.slipDir });
    shop.log.info(`${department} consumer ready`);
  }
  tellParent({ ready: departments });
  // Closing the connection (next, in launch) finishes the messages in hand.
  return async () => {};
});
