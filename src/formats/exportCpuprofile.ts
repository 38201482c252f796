/**
 * Writes a model as a modern V8 `.cpuprofile` that Chrome DevTools, VS Code and speedscope read,
 * so a remapped profile shows original sources there too. Every node's self time survives a
 * round trip through `importCpuprofile` of cpuprofile.ts (so every frame's self and total do):
 *
 * - samples are written back to back (sample i + 1 starts when sample i ends);
 * - the importer gives the last sample the mean interval; when the model's last weight differs,
 *   one extra sample of the same node is appended, splitting it so the mean comes out right
 *   (samples too uneven for that, such as a trace's spans, are written as the tree below);
 * - without samples (a model from another format), one sample per node with self weight is
 *   written, the heaviest last;
 * - line weights become integer `positionTicks` (about one tick per mean sample interval), and
 *   a frame's lines are spread over its nodes in proportion to their self time (the model keeps
 *   lines per frame, not per node): line heat survives to within a tick or so per node. Line
 *   entries in another file than their frame's cannot be expressed and are dropped.
 * - weights in other time units are converted to microseconds; other units are written as is.
 */
import { oneBasedToV8 } from '../core/positions';
import type { Profile, WeightUnit } from '../core/profile';
import { MAX_TIME_US } from './cpuprofileSamples';
import { ExportRangeError } from './exportUnits';
import { pathToFileUrl } from '../util/fileUrl';

interface V8PositionTick {
  line: number;
  ticks: number;
}

/** Microseconds per unit of a profile's weights (time units; other units are taken as µs). */
function microsecondsPer(unit: WeightUnit): number {
  switch (unit) {
    case 'nanoseconds':
      return 1e-3;
    case 'milliseconds':
      return 1e3;
    case 'seconds':
      return 1e6;
    default:
      return 1;
  }
}

interface ExportSample {
  node: number;
  weight: number;
}

/**
 * One node's `positionTicks` from its frame's line weights: the node's share of each line, in
 * whole ticks (one per `tick` of the node's self time, at least one) by largest remainder, so the
 * ticks add up and no line gets a tick it did not earn. Self time of the frame that no line
 * covers goes to the frame's definition line, where the importer's readers would put it.
 */
function spreadTicks(
  frameLines: { line1: number; weight: number }[],
  definitionLine1: number | null,
  frameSelf: number,
  nodeSelf: number,
  tick: number,
): V8PositionTick[] {
  const entries = frameLines.slice();
  let covered = 0;
  for (const l of entries) covered += l.weight;
  if (definitionLine1 !== null && frameSelf - covered > 1e-9 * frameSelf) {
    entries.push({ line1: definitionLine1, weight: frameSelf - covered });
    covered = frameSelf;
  }
  if (!(covered > 0)) return [];
  const total = Math.max(1, Math.round(nodeSelf / tick));
  const exact = entries.map((l) => (total * l.weight) / covered);
  const whole = exact.map(Math.floor);
  let left = total - whole.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, j) => j)
    .sort((a, b) => exact[b] - whole[b] - (exact[a] - whole[a]) || a - b);
  for (const j of byRemainder) {
    if (left <= 0) break;
    whole[j]++;
    left--;
  }
  const byLine = new Map<number, number>();
  entries.forEach((l, j) => {
    if (whole[j] > 0) byLine.set(l.line1, (byLine.get(l.line1) ?? 0) + whole[j]);
  });
  return [...byLine].map(([line, ticks]) => ({ line, ticks })).sort((a, b) => a.line - b.line);
}

/** Writes a model as a modern V8 `.cpuprofile` (see the module comment). */
export function exportCpuprofile(profile: Profile): string {
  const { tree } = profile;
  const scale = microsecondsPer(profile.meta.unit);
  const { list, firstStart } = samplesToWrite(profile, scale);

  const hitCount = new Int32Array(tree.size);
  const samples: number[] = new Array(list.length);
  const timeDeltas: number[] = new Array(list.length);
  let t = firstStart;
  let prev = 0;
  for (let i = 0; i < list.length; i++) {
    samples[i] = list[i].node + 1;
    hitCount[list[i].node]++;
    timeDeltas[i] = t - prev;
    prev = t;
    t += list[i].weight;
  }
  const meanInterval = list.length > 1 ? (prev - firstStart) / (list.length - 1) : t - firstStart;
  const durationUs = (profile.meta.duration ?? 0) * scale;
  const endTime = Math.max(t, durationUs);
  // The importer refuses sample times past 2^53 µs (no recording is 285 years long).
  if (!(endTime <= MAX_TIME_US)) {
    throw new ExportRangeError('a .cpuprofile', `a timestamp of ${endTime} µs`);
  }
  const tick = meanInterval > 0 ? meanInterval : 1000;
  const nodes = nodesToWrite(profile, scale, hitCount, tick);
  return JSON.stringify({ nodes, startTime: 0, endTime, samples, timeDeltas });
}

/**
 * The samples to write, back to back from `firstStart` (µs): the model's own, else one per node
 * with self weight (the heaviest last); the last ones split so that the importer's mean interval
 * for the last sample gives it its weight. Samples too uneven for that (a trace's spans: a 30 ms
 * collection, then 1 µs) are written as the tree instead, which keeps every figure but not the
 * time order.
 */
function samplesToWrite(
  profile: Profile,
  scale: number,
): { list: ExportSample[]; firstStart: number } {
  const { tree } = profile;
  if (profile.samples && profile.samples.count > 0) {
    const s = profile.samples;
    const list: ExportSample[] = [];
    for (let i = 0; i < s.count; i++) list.push({ node: s.node[i], weight: s.weight[i] * scale });
    if (fitLastSample(list)) return { list, firstStart: Math.max(0, s.start[0]) * scale };
  }
  const list = samplesFromTree(tree, scale);
  fitLastSample(list);
  return { list, firstStart: 0 };
}

/** One sample per node with self weight, the heaviest last (the importer's mean fits it). */
function samplesFromTree(tree: Profile['tree'], scale: number): ExportSample[] {
  const list: ExportSample[] = [];
  let heaviest = -1;
  for (let i = 0; i < tree.size; i++) {
    if (tree.self[i] > 0) {
      list.push({ node: i, weight: tree.self[i] * scale });
      if (heaviest < 0 || tree.self[i] > list[heaviest].weight / scale) heaviest = list.length - 1;
    }
  }
  if (heaviest >= 0) list.push(...list.splice(heaviest, 1));
  return list;
}

/**
 * Splits samples of `list` in place so that the mean interval of all but the last equals the
 * last one's weight, as the importer reads it back. False (and `list` unchanged) when that would
 * take too many pieces.
 */
function fitLastSample(list: ExportSample[]): boolean {
  // A sample of weight 0 adds nothing; at the end it would be given the mean interval.
  while (list.length > 1 && !(list[list.length - 1].weight > 0)) list.pop();
  let count = list.length;
  if (count > 1) {
    let spanBeforeLast = 0;
    let heaviest = 0;
    for (let i = 0; i < count - 1; i++) {
      spanBeforeLast += list[i].weight;
      if (list[i].weight > list[heaviest].weight) heaviest = i;
    }
    const lastWeight = list[count - 1].weight;
    const mean = spanBeforeLast / (count - 1);
    if (Math.abs(lastWeight - mean) > 1e-9 * Math.max(1, lastWeight)) {
      // The last sample is lighter than the mean: split the heaviest earlier sample into
      // consecutive pieces (the same node, back to back, so the stacks and their times stay)
      // until the mean is no more than the last weight, then split the last one as below.
      // Bounded, so that a nearly empty last sample cannot ask for millions of pieces.
      const extra = lastWeight < mean ? Math.ceil(spanBeforeLast / lastWeight - (count - 1)) : 0;
      if (extra > 4 * count + 1000) return false;
      if (extra > 0) {
        const { node, weight } = list[heaviest];
        const pieces = new Array<ExportSample>(extra + 1).fill({
          node,
          weight: weight / (extra + 1),
        });
        list.splice(heaviest, 1, ...pieces);
        count = list.length;
      }
      const head = (count * lastWeight - spanBeforeLast) / (count + 1);
      if (head >= 0) {
        list[count - 1] = { node: list[count - 1].node, weight: head };
        list.push({ node: list[count - 1].node, weight: lastWeight - head });
      }
    }
  } else if (count === 1) {
    // A lone sample would last until endTime, which the duration can push past its weight:
    // two halves make the mean interval the weight's half, exactly.
    const { node, weight } = list[0];
    list[0] = { node, weight: weight / 2 };
    list.push({ node, weight: weight / 2 });
  }
  return true;
}

/**
 * The `nodes` list: one node per tree node (id = index + 1), the root `(root)`, each with its
 * call frame, hit count, children and, from its frame's line weights, `positionTicks` of about
 * one tick per `tick` µs.
 */
function nodesToWrite(
  profile: Profile,
  scale: number,
  hitCount: Int32Array,
  tick: number,
): object[] {
  const { tree, frames } = profile;
  // Line weights per frame, in the frame's own file.
  const frameSelf = new Float64Array(frames.length);
  for (let i = 1; i < tree.size; i++) frameSelf[tree.frame[i]] += tree.self[i];
  const linesOfFrame = new Map<number, { line1: number; weight: number }[]>();
  const { lines } = profile;
  for (let c = 0; c < lines.count; c++) {
    const f = lines.frame[c];
    const frame = frames[f];
    if (!frame || frame.file !== lines.files[lines.file[c]]) continue;
    let entry = linesOfFrame.get(f);
    if (!entry) linesOfFrame.set(f, (entry = []));
    entry.push({ line1: lines.line1[c], weight: lines.self[c] * scale });
  }

  const scriptIds = new Map<string, string>();
  const nodes: object[] = new Array(tree.size);
  for (let i = 0; i < tree.size; i++) {
    const kids: number[] = [];
    for (let c = 0; c < tree.childCount[i]; c++)
      kids.push(tree.children[tree.childStart[i] + c] + 1);
    const node: Record<string, unknown> = {
      id: i + 1,
      callFrame: undefined,
      hitCount: hitCount[i],
    };
    if (i === 0) {
      node.callFrame = {
        functionName: '(root)',
        scriptId: '0',
        url: '',
        lineNumber: -1,
        columnNumber: -1,
      };
    } else {
      const f = tree.frame[i];
      const frame = frames[f];
      const url = frame.file === null ? '' : pathToFileUrl(frame.file);
      let scriptId = '0';
      if (url) {
        scriptId = scriptIds.get(url) ?? String(scriptIds.size + 1);
        scriptIds.set(url, scriptId);
      }
      node.callFrame = {
        functionName: frame.name === '(anonymous)' && frame.kind !== 'pseudo' ? '' : frame.name,
        scriptId,
        url,
        lineNumber: oneBasedToV8(frame.line1),
        columnNumber: oneBasedToV8(frame.col1),
      };
      const frameLines = linesOfFrame.get(f);
      if (frameLines && tree.self[i] > 0 && frameSelf[f] > 0) {
        const ticks = spreadTicks(frameLines, frame.line1, frameSelf[f], tree.self[i], tick);
        if (ticks.length) node.positionTicks = ticks;
      }
    }
    if (kids.length) node.children = kids;
    nodes[i] = node;
  }
  return nodes;
}
