/**
 * Strongly connected components of a call graph: the functions that call one another in a
 * cycle (mutual recursion) share a component. Tarjan's algorithm with explicit stacks, so a
 * graph of a million functions does not exhaust the JavaScript call stack.
 */

/**
 * The component of each of `n` nodes (numbered from 0 in the order components complete) and the
 * size of each component, for the edges `from[i] -> to[i]` (i < `count`).
 */
export function stronglyConnected(
  n: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  count = from.length,
): { component: Int32Array; size: Int32Array } {
  // Adjacency in CSR form.
  const start = new Int32Array(n + 1);
  for (let i = 0; i < count; i++) start[from[i] + 1]++;
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const fill = start.slice(0, n);
  const next = new Int32Array(count);
  for (let i = 0; i < count; i++) next[fill[from[i]]++] = to[i];

  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const component = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  const stack = new Int32Array(n);
  let sp = 0;
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = start[root];
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth];
      if (callEdge[depth] < start[v + 1]) {
        const w = next[callEdge[depth]++];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = start[w];
        } else if (onStack[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      if (low[v] === index[v]) {
        const c = sizes.length;
        let size = 0;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          component[w] = c;
          size++;
        } while (w !== v);
        sizes.push(size);
      }
      depth--;
      if (depth >= 0) {
        const u = callNode[depth];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  return { component, size: Int32Array.from(sizes) };
}
