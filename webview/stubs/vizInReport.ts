/**
 * What the HTML report's viewer has in place of Graphviz (`@viz-js/viz`, aliased in
 * scripts/build.mjs): a report allows no WebAssembly (its Content Security Policy runs only its
 * own script, by hash) and stays small, so the panel's Call graph tab points to the drawing the
 * report carries (webview/reportHost.ts).
 */
export function instance(): Promise<never> {
  return Promise.reject(
    new Error(
      "A report lays out no call graph here: its drawing is under the report's Call graph tab " +
        '(at the default thresholds); for others, open the profile in VS Code or run ' +
        '`heatlens convert <profile> --to svg`.',
    ),
  );
}
