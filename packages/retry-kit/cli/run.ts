// The command line: `retry-kit ...` (bin/retry-kit.mjs) or `node --import tsx cli/run.ts ...`.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
