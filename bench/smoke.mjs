// The smoke switch every benchmark honours: `HEATLENS_BENCH_SMOKE=1` (set by
// `node bench/run.mjs --smoke`, and by `npm test`, which runs it that way). In smoke mode a
// benchmark runs once, on a tiny input made in a cache of its own, and fails loudly instead of
// reporting "not measured": it proves the benchmark still works. Its figures mean nothing, and
// nothing asserts them.
//
// A benchmark module (bench/<name>.mjs exporting `run(options)`) follows it by:
// - `if (isSmoke())` choosing tiny sizes (a few thousand nodes, a few kB) and one run;
// - making its workloads under `benchCache()`, which is a separate folder in smoke mode;
// - skipping only what needs the network (a peer viewer downloaded from npm), saying so.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** True in smoke mode (read at call time: bench/run.mjs sets it after the modules load). */
export function isSmoke() {
  return process.env.HEATLENS_BENCH_SMOKE === '1';
}

/**
 * Where workloads are cached: ~/.cache/heatlens-bench ($HEATLENS_BENCH_CACHE overrides), or in
 * smoke mode the clone's own .bench/smoke-cache, so tiny workloads never replace real ones.
 */
export function benchCache() {
  if (isSmoke()) return join(root, '.bench', 'smoke-cache');
  return process.env.HEATLENS_BENCH_CACHE ?? join(homedir(), '.cache', 'heatlens-bench');
}

/** `full` normally, `tiny` in smoke mode. */
export function smokeOr(full, tiny) {
  return isSmoke() ? tiny : full;
}
