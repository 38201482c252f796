/**
 * Heatlens' own code never appears in the user's profile as code. The runner preloads helpers
 * into the profiled program (the TypeScript loader, which transpiles each .ts file with sucrase
 * as it is required, and a guard for forked children); the time they take is real time of the
 * run, so it is kept, but as one pseudo frame, "(Heatlens TypeScript loader)" (or "(Heatlens
 * helper)" for the others): every run of consecutive helper frames on a stack folds into one
 * node of that frame, whose self weight is theirs; what they call (Node's module loader, the
 * user's modules) stays below it. Their lines (dist/inject/tsRegister.js:17093, or a minified
 * build's one-letter frames) are dropped from the line table: they are nobody's code to read.
 * Pure.
 */
import { ProfileBuilder, type Frame, type Profile } from './profile';

const TYPESCRIPT_HELPERS = /[\\/](?:tsRegister|tsHooks|esmEntry)\.js$/;

/** The pseudo frame a helper's frames fold into. */
export function injectedFrameName(file: string): string {
  return TYPESCRIPT_HELPERS.test(file) ? '(Heatlens TypeScript loader)' : '(Heatlens helper)';
}

function under(file: string | null, dirs: readonly string[]): boolean {
  if (file === null) return false;
  return dirs.some((dir) => {
    const d = dir.replace(/[\\/]+$/, '');
    return file.startsWith(`${d}/`) || file.startsWith(`${d}\\`);
  });
}

/**
 * `profile` with the frames of files under `dirs` (the helpers' folder) folded into pseudo
 * frames (see the module comment); the same object when none is there.
 */
export function foldInjected(profile: Profile, dirs: readonly string[]): Profile {
  const { frames, tree, lines } = profile;
  const injected = frames.map((f) => under(f.file, dirs));
  if (!dirs.length || !injected.includes(true) || profile.callGraph) return profile;
  const b = new ProfileBuilder();
  const frameMap = frames.map((f, id) => {
    if (!injected[id]) return b.frame(f);
    const pseudo: Frame = {
      name: injectedFrameName(f.file!),
      file: null,
      line1: null,
      col1: null,
      kind: 'pseudo',
    };
    return b.frame(pseudo);
  });
  const nodeMap = new Int32Array(tree.size);
  for (let n = 1; n < tree.size; n++) {
    const p = tree.parent[n];
    const frame = frameMap[tree.frame[n]];
    // A helper called by a helper of the same kind: one node for the whole run of them.
    const folded = injected[tree.frame[n]] && p > 0 && frameMap[tree.frame[p]] === frame;
    nodeMap[n] = folded ? nodeMap[p] : b.child(nodeMap[p], frame);
    b.addSelf(nodeMap[n], tree.self[n]);
  }
  const s = profile.samples;
  if (s) for (let i = 0; i < s.count; i++) b.addSample(nodeMap[s.node[i]], s.weight[i], s.start[i]);
  for (let i = 0; i < lines.count; i++) {
    const file = lines.files[lines.file[i]];
    if (injected[lines.frame[i]] || under(file, dirs)) continue;
    b.addLine(file, lines.line1[i], frameMap[lines.frame[i]], lines.self[i]);
    if (lines.external && lines.external[i] > 0) {
      b.addLineExternal(file, lines.line1[i], frameMap[lines.frame[i]], lines.external[i]);
    }
  }
  const per = lines.perNode;
  if (per) {
    for (let i = 0; i < per.count; i++) {
      const file = lines.files[per.file[i]];
      if (injected[tree.frame[per.node[i]]] || under(file, dirs)) continue;
      b.addNodeLine(nodeMap[per.node[i]], file, per.line1[i], per.self[i]);
    }
  }
  return b.build({ ...profile.meta }, { treeIsApproximate: profile.treeIsApproximate });
}
