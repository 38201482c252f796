// axe-core (npm, a devDependency) for the tests of the flame graph page: its source to put into a
// page, and one run over the page's document that returns every violation, worded, and how many
// rules applied (a run that checked nothing must not pass for a clean page).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoRoot';

/** axe.min.js, to inject with `addScriptTag({ content })` or evaluate in a frame. */
export function axeSource(): string {
  return readFileSync(join(repoRoot(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
}

/** One violation: its rule, its impact, and a sentence with the elements and what to fix. */
export interface AxeFinding {
  readonly id: string;
  readonly impact: string;
  readonly text: string;
}

/** A page or a frame that axe was put into. */
export interface AxeTarget {
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
}

interface AxeResults {
  passes: unknown[];
  violations: {
    id: string;
    impact: string;
    help: string;
    nodes: { target: string[]; failureSummary: string }[];
  }[];
}

/** Runs axe over the document of `target` (no stylesheet fetches: the page's own are loaded). */
export async function runAxe(
  target: AxeTarget,
): Promise<{ rules: number; findings: AxeFinding[] }> {
  return target.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: object): Promise<AxeResults> };
    };
    const r = await axe.run(document, { resultTypes: ['violations'], preload: false });
    return {
      rules: r.passes.length + r.violations.length,
      findings: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        text: `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join('; ')}`,
      })),
    };
  });
}

/** The findings that fail the check: serious or critical. */
export function seriousFindings(report: readonly string[]): string[] {
  return report.filter((r) => /\((serious|critical)\)/.test(r));
}
