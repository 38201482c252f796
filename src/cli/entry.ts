/**
 * The `heatlens` process (bundled to dist/cli.js, started by bin/heatlens.js): runs the CLI with
 * this process's arguments and outputs, and exits with its code. Everything else is in main.ts,
 * which tests call in-process.
 */
import { main } from './main';
import { processIo } from './terminal';

void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
