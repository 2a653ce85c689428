// What the command table (program.ts, the group modules) takes from the core, through one dynamic
// import when a command runs or fails: the table itself stays light for `--help` and completion.
export { processIo } from '../context.js';
export { withFactory } from '../services/factory.js';
export { reportError } from './report-error.js';
export { CliError } from '../errors.js';
