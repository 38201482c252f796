/**
 * Writes a profile as speedscope JSON (https://www.speedscope.app/file-format-schema.json), which
 * speedscope opens directly and our importer (speedscope.ts) reads back.
 *
 * One `sampled` profile with weights, never `evented`: a sampled profile carries each weight as
 * the very number the model holds, so every node's self weight (and so every frame's self and
 * total) comes back bit for bit, where evented `at` times would turn weights into differences of
 * running sums and round them. When the model has time-ordered samples that account for its
 * tree, they are written in time order, one stack per sample, so speedscope's time-order view
 * shows the run as recorded (gaps between samples close up, as speedscope's own sampled imports
 * do); otherwise (a tree without samples: collapsed stacks, Heatlens' Python sampler, the tree
 * approximated from a call graph) one sample per node with self weight, depth first.
 *
 * Frames are `{name, file?, line?, col?}` with 1-based lines and columns, only the frames the
 * tree uses. Units map one to one; `samples` becomes speedscope's `none`.
 */
import type { Profile, WeightUnit } from '../core/profile';

const UNITS: Readonly<Record<WeightUnit, string>> = {
  nanoseconds: 'nanoseconds',
  microseconds: 'microseconds',
  milliseconds: 'milliseconds',
  seconds: 'seconds',
  bytes: 'bytes',
  samples: 'none',
  none: 'none',
};

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

/** Whether the model's samples add up, per node, to the tree's self weights. */
function samplesMatchTree(profile: Profile): boolean {
  const { samples, tree } = profile;
  if (!samples || samples.count === 0) return false;
  const sum = new Float64Array(tree.size);
  for (let i = 0; i < samples.count; i++) {
    const node = samples.node[i];
    if (node < 0 || node >= tree.size) return false;
    sum[node] += samples.weight[i];
  }
  const whole = tree.size > 0 ? tree.total[0] : 0;
  const tolerance = 1e-9 * Math.max(1, whole);
  for (let n = 0; n < tree.size; n++) {
    if (Math.abs(sum[n] - tree.self[n]) > tolerance) return false;
  }
  return true;
}

/** The speedscope JSON of `profile` (see the file comment). */
export function exportSpeedscope(profile: Profile): string {
  const { tree, frames, meta } = profile;
  // Frame index in the file per model frame, for the frames the tree uses.
  const index = new Int32Array(frames.length).fill(-1);
  const shared: SpeedscopeFrame[] = [];
  for (let n = 1; n < tree.size; n++) {
    const f = tree.frame[n];
    if (index[f] >= 0) continue;
    index[f] = shared.length;
    const frame = frames[f];
    const out: SpeedscopeFrame = { name: frame.name };
    if (frame.file !== null) out.file = frame.file;
    if (frame.line1 !== null) out.line = frame.line1;
    if (frame.col1 !== null) out.col = frame.col1;
    shared.push(out);
  }

  // The stack of a node, root first, made once per node that is written.
  const stacks = new Map<number, number[]>();
  const stackOf = (node: number): number[] => {
    let s = stacks.get(node);
    if (!s) {
      s = [];
      for (let n = node; n > 0; n = tree.parent[n]) s.push(index[tree.frame[n]]);
      s.reverse();
      stacks.set(node, s);
    }
    return s;
  };

  const samples: number[][] = [];
  const weights: number[] = [];
  if (samplesMatchTree(profile)) {
    const s = profile.samples!;
    for (let i = 0; i < s.count; i++) {
      samples.push(stackOf(s.node[i]));
      weights.push(s.weight[i]);
    }
  } else {
    // Depth first, heaviest child first: the order of a flame graph's boxes.
    const stack: number[] = [];
    for (let c = tree.childCount[0] - 1; c >= 0; c--)
      stack.push(tree.children[tree.childStart[0] + c]);
    while (stack.length) {
      const node = stack.pop() as number;
      if (tree.self[node] > 0) {
        samples.push(stackOf(node));
        weights.push(tree.self[node]);
      }
      const start = tree.childStart[node];
      for (let c = tree.childCount[node] - 1; c >= 0; c--) stack.push(tree.children[start + c]);
    }
  }
  let endValue = 0;
  for (const w of weights) endValue += w;

  const source = meta.sourceFile ?? meta.command?.join(' ');
  const base = source ? source.replace(/^.*[\\/]/, '') : '';
  const name = base ? `${base} (${meta.profiler})` : `${meta.profiler} profile`;
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: shared },
    profiles: [
      {
        type: 'sampled',
        name,
        unit: UNITS[meta.unit] ?? 'none',
        startValue: 0,
        endValue,
        samples,
        weights,
      },
    ],
    name,
    activeProfileIndex: 0,
    exporter: 'heatlens',
  });
}
