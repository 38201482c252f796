/**
 * The call graph drawn as an SVG image (`heatlens convert --to svg`): the DOT of exportDot.ts laid
 * out and rendered by Graphviz compiled to WebAssembly (`@viz-js/viz`), which runs in Node as in
 * the webview, so no Graphviz needs to be installed. Graphviz escapes the labels it writes into
 * the SVG (`&lt;`, `&quot;`, `&amp;`).
 */
import type { GraphOptions } from '../core/graphPrune';
import type { Profile } from '../core/profile';
import { exportDotText } from './exportDot';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;

let viz: Promise<Viz> | undefined;

/**
 * Graphviz, instantiated once per process. Imported on first use: the module holds the
 * WebAssembly binary (about 1 MB), which nothing else needs.
 */
export function graphviz(): Promise<Viz> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  return viz;
}

/** The SVG text of DOT text; throws with Graphviz's own message when it cannot lay it out. */
export async function dotToSvg(dot: string): Promise<string> {
  const v = await graphviz();
  return v.renderString(dot, { format: 'svg' });
}

/** The bytes of `heatlens convert --to svg`. */
export async function exportSvg(profile: Profile, options: GraphOptions = {}): Promise<Uint8Array> {
  return new TextEncoder().encode(await dotToSvg(exportDotText(profile, options)));
}

/**
 * The call graph an HTML report carries (src/shared/reportData.ts): drawn at the default
 * thresholds, or undefined when Graphviz cannot draw it (the report then says so in its tab).
 */
export async function callGraphDrawing(profile: Profile): Promise<string | undefined> {
  try {
    return await dotToSvg(exportDotText(profile));
  } catch {
    return undefined;
  }
}
