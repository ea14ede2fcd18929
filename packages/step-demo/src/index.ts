export type { LogDemo } from './log-demo.js';
export { keyMatching, runLogDemo } from './log-demo.js';
export type { StartOptions, StepProgram } from './program.js';
export { startProgram } from './program.js';
export type { Exit, SpawnedProgram, SpawnOptions } from './spawn-lines.js';
export { spawnLines, spawnTypeScript } from './spawn-lines.js';
export { whoGotWhat } from './table.js';
