import { type ParseArgsConfig, parseArgs } from 'node:util';

/**
 * parseArgs on the program's arguments, less a leading `--`: the docs' form
 * `pnpm --filter orders-store load -- --count 10` hands the `--` on.
 */
export function parseCommandLine<T extends ParseArgsConfig['options']>(options: T) {
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
}
