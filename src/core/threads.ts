/**
 * One profile of several threads of one process: the main thread's profile, with each other
 * thread's tree under a pseudo-frame naming the thread (as the Python sampler shows threads).
 * V8 profiles each isolate on its own, so a Node program with worker threads yields one profile
 * per thread; merged, a worker's functions count in the totals and appear in every view. The
 * total is the sum of the threads' times (time in two threads at once counts twice, as CPU time
 * does). Pure.
 */
import { ProfileBuilder, type Frame, type Profile } from './profile';

/** Another thread's profile, in the same unit as the main thread's. */
export interface ThreadProfile {
  /** Names the thread's pseudo-frame: "worker: [worker 1] name". */
  readonly label: string;
  readonly profile: Profile;
  /**
   * Where the thread's recording started, in the unit, relative to the main thread's start
   * (its samples keep their real times).
   */
  readonly startOffset: number;
}

/** Copies `from` into `b` under `under`: frames, tree, samples (shifted), lines. */
function copyInto(b: ProfileBuilder, from: Profile, under: number, shift: number): void {
  const frameIds = from.frames.map((f: Frame) => b.frame(f));
  const { tree } = from;
  const nodeMap = new Int32Array(tree.size);
  nodeMap[0] = under;
  // Parent ids are below their children's: one pass in id order sees every parent first.
  for (let n = 1; n < tree.size; n++) {
    nodeMap[n] = b.child(nodeMap[tree.parent[n]], frameIds[tree.frame[n]]);
    b.addSelf(nodeMap[n], tree.self[n]);
  }
  if (tree.size > 0) b.addSelf(under, tree.self[0]);
  const s = from.samples;
  if (s)
    for (let i = 0; i < s.count; i++)
      b.addSample(nodeMap[s.node[i]], s.weight[i], s.start[i] + shift);
  const lines = from.lines;
  for (let i = 0; i < lines.count; i++) {
    b.addLine(lines.files[lines.file[i]], lines.line1[i], frameIds[lines.frame[i]], lines.self[i]);
  }
}

/**
 * `main` with every thread of `threads` added under a pseudo-frame of its own. The samples of
 * each thread follow the main thread's, in their own time order, so that the time-order view
 * shows the threads one after the other. Returns `main` itself when there are no threads.
 */
export function withThreads(main: Profile, threads: readonly ThreadProfile[]): Profile {
  if (!threads.length) return main;
  const b = new ProfileBuilder();
  copyInto(b, main, 0, 0);
  const warnings = [...main.meta.warnings];
  for (const t of threads) {
    const pseudo = b.frame({ name: t.label, file: null, line1: null, col1: null, kind: 'pseudo' });
    copyInto(b, t.profile, b.child(0, pseudo), t.startOffset);
    for (const w of t.profile.meta.warnings) if (!warnings.includes(w)) warnings.push(w);
  }
  return b.build({ ...main.meta, warnings }, { treeIsApproximate: main.treeIsApproximate });
}
