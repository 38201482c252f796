/**
 * Preloaded (`node -r`, first) into a program Heatlens records in memory mode. V8's sampling
 * heap profiler names a function's script by finding it among the isolate's scripts; on Node.js
 * 20 (measured on 20.20) it does not find the scripts of CommonJS modules, which Node compiles
 * with `vm.compileFunction`: every CommonJS function came out without its file and line (url "",
 * lineNumber -1), and was then taken for Node's own code. Setting `Module.wrap` (to itself) makes
 * Node compile CommonJS modules as it does whenever a tool replaces the wrapper: the wrapped
 * source as a script, which the heap profiler names. Lines stay; on a module's first line columns
 * move by the wrapper's length, and an uncaught error's excerpt of that line shows the wrapper.
 * Node.js 24 (measured on 24.21) names CommonJS functions without it, so it is left alone there.
 * ES modules are not concerned. The CPU profiler names every script: CPU runs do not load this.
 */
import Module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const loader = Module as unknown as { wrap: unknown };
  const wrap = loader.wrap;
  // Node's setter notes that the wrapper was replaced; the wrapper itself is the same.
  loader.wrap = wrap;
}
