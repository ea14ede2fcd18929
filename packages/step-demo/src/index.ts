export type { LogDemo } from './log-demo.js';
export { keyMatching, runLogDemo } from './log-demo.js';
export type { StartOptions, StepProgram } from './program.js';
export { startProgram } from './program.js';
export { whoGotWhat } from './table.js';
