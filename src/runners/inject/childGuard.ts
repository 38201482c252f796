/**
 * Preloaded (`node -r`) into every program Heatlens profiles. The runner starts the program with
 * `--inspect-brk=127.0.0.1:0`; `child_process.fork()` hands `process.execArgv` to its children,
 * and each child would then stop at its first line waiting for a debugger that never comes: the
 * program hangs. Dropping the inspector flags here lets forked children run unprofiled, as they
 * would without Heatlens. The other flags (our TypeScript loader included) are kept.
 */
const inspectFlag = /^--(?:inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=|$)/;

for (let i = process.execArgv.length - 1; i >= 0; i--) {
  if (inspectFlag.test(process.execArgv[i])) process.execArgv.splice(i, 1);
}
