/**
 * Import cycles among the TypeScript files of a folder: every relative import (`import`,
 * `import type`, `export ... from`, `import()`, `require`) as the TypeScript compiler's own
 * pre-processor reads it, resolved as the bundler resolves it (`./x` -> `x.ts` or `x/index.ts`).
 * Type-only imports count: a cycle of types still ties two modules into one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir` (recursively). */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names, or undefined when it is none of `files`. */
function resolveImport(from: string, specifier: string, files: Set<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(m|c)?js$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts')];
  return candidates.find((c) => files.has(c) && isFile(c));
}

/** The import graph of the .ts files under `roots`: file -> the files it imports. */
export function importGraph(roots: readonly string[]): Map<string, string[]> {
  const files = new Set(roots.flatMap((r) => tsFiles(resolve(r))));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = resolveImport(file, ref.fileName, files);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The import cycles of `roots`, each as the files around it (`a.ts -> b.ts -> a.ts`, paths
 * relative to `base`): one cycle per group of files that import each other (strongly connected
 * component), so that every tangle is reported once, by files one can open.
 */
export function importCycles(roots: readonly string[], base: string): string[] {
  const graph = importGraph(roots);
  const cycles: string[] = [];
  for (const group of stronglyConnected(graph)) {
    const members = new Set(group);
    const selfImport = group.length === 1 && graph.get(group[0])!.includes(group[0]);
    if (group.length < 2 && !selfImport) continue;
    const path = cycleThrough(group.sort()[0], graph, members);
    cycles.push(path.map((f) => relative(base, f)).join(' -> '));
  }
  return cycles.sort();
}

/** Tarjan's strongly connected components, iteratively (no recursion limit on deep chains). */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = graph.get(top.node)!;
      if (top.edge < edges.length) {
        const to = edges[top.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== top.node);
        groups.push(group);
      }
    }
  }
  return groups;
}

/** The shortest import path from `start` back to itself inside `members` (breadth first). */
function cycleThrough(start: string, graph: Map<string, string[]>, members: Set<string>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    for (const to of graph.get(node)!) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        path.push(start);
        return path;
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [start, start];
}
