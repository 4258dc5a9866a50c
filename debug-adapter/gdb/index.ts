// The gdb/MI layer: knows gdb and MI, nothing of DAP.
export * from './errors';
export * from './parser';
export * from './session';
export * from './types';
export * as mi from './commands';
export { VarObjects } from './varobj';
