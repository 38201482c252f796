/**
 * Keeps one small instance of a class alive for as long as the program runs, so that V8 keeps
 * the class's hidden class (its "map") and with it the optimized code of the functions that use
 * such objects.
 *
 * Why: V8 holds the hidden class of a fully built instance only while some instance has it (the
 * way from the constructor's first hidden class to it is a weak link). The importers keep their
 * working state (scanners, growing columns, the ProfileBuilder) in class instances and drop them
 * all once the profile is built, so at the next full garbage collection those hidden classes
 * go, and every function compiled against them is deoptimized ("weak objects" in
 * `--trace-deopt`): the next import starts in the interpreter and compiles everything again. In
 * the extension host, which imports every run's profile and every small file it opens, that is
 * every import after a collection. Measured on a 30 MB `.cpuprofile` imported again after a
 * full collection: about 100 ms of CPU of 450, a fifth, went to it; with one instance of each
 * class kept, none.
 *
 * Keep only instances that hold nothing large (made with empty input): they live forever.
 */

const kept: object[] = [];

/** Keeps `instance` alive for good; returns it. */
export function keepShape<T extends object>(instance: T): T {
  kept.push(instance);
  return instance;
}
