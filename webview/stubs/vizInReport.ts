/**
 * What the HTML report's viewer has in place of Graphviz (`@viz-js/viz`, aliased in
 * scripts/build.mjs): a report allows no WebAssembly (its Content Security Policy runs only its
 * own script, by hash) and stays small, so its Call graph tab says where the graph is drawn.
 */
export function instance(): Promise<never> {
  return Promise.reject(
    new Error(
      'The call graph is not drawn in a report: open the profile in VS Code, or draw it with ' +
        '`heatlens convert <profile> --to svg`.',
    ),
  );
}
