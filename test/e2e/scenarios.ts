// Shared steps of the end-to-end scenarios: what a person does (profile a file, clear) and what
// they should then see, expressed over the harness's readers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type AfterLabel, type LensInfo, type VsCodeSession } from './harness';

/**
 * "12.3 ms · 8.1%" (the unit may also be µs or s), with what the figure is when it is not a line
 * measurement ("· 8.1% function self", "function total"), and the time below the line in code
 * outside the user's ("+ 1.20 s · 33.1% below, outside your code").
 */
export const labelPattern =
  /^(?:(?:\d+(?:\.\d+)? (?:µs|ms|s) · (?:\d+(?:\.\d+)?|<0\.1)%(?: function (?:self|total))?)(?: \+ (?=\d))?)?(?:\d+(?:\.\d+)? (?:µs|ms|s) · (?:\d+(?:\.\d+)?|<0\.1)% below, outside your code)?$/;

/** 1-based first and last line of a top-level function in a source file (its closing brace at column 0). */
export function functionLines(file: string, name: string): { first: number; last: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = lines.findIndex((l) => new RegExp(`\\bfunction ${name}\\b`).test(l));
  assert.ok(first >= 0, `${file} has no function ${name}`);
  const last = lines.findIndex((l, i) => i > first && l.startsWith('}'));
  return { first: first + 1, last: last + 1 };
}

/**
 * The share of the run a label stands for, "12.3 ms · 8.1%" -> 8.1: its own share plus the
 * share below it in code outside the user's, as the heat color counts them.
 */
export function shareOf(label: string): number {
  const shares = [...label.matchAll(/([\d.]+)%/g)].map((m) => Number(m[1]));
  return shares.length ? shares.reduce((a, b) => a + b, 0) : NaN;
}

/** Waits for heat labels in the active editor and returns them, logging what was read. */
export async function waitForLabels(vs: VsCodeSession, what: string): Promise<AfterLabel[]> {
  const labels = await waitFor(`after-line heat labels in ${what}`, async () => {
    const l = await vs.afterLabels();
    return l.length ? l : undefined;
  });
  process.stderr.write(
    `[e2e] ${what}: labels ${labels.map((l) => `L${l.line} "${l.label}"`).join(', ')}\n`,
  );
  return labels;
}

/** Waits for a CodeLens above the function's line and returns it. */
export async function waitForLensAbove(vs: VsCodeSession, fn: string): Promise<LensInfo> {
  const lens = await waitFor(`a CodeLens above function ${fn}`, async () =>
    (await vs.codeLenses()).find((l) => new RegExp(`\\bfunction ${fn}\\b`).test(l.lineText)),
  );
  process.stderr.write(`[e2e] CodeLens above ${fn} (L${lens.line}): "${lens.text}"\n`);
  return lens;
}

/**
 * The hottest labelled line lies inside the function, the label has the documented format, and
 * the labelled line's text is the source's (so heat landed in this file, on these lines).
 */
export function assertHotLineIn(labels: AfterLabel[], file: string, fn: string): void {
  for (const l of labels) assert.match(l.label, labelPattern, `label on line ${l.line}`);
  const hottest = [...labels].sort((a, b) => shareOf(b.label) - shareOf(a.label))[0];
  const range = functionLines(file, fn);
  assert.ok(
    hottest.line >= range.first && hottest.line <= range.last,
    `the hottest label "${hottest.label}" is on line ${hottest.line} ("${hottest.lineText.trim()}"), ` +
      `outside ${fn} (lines ${range.first}-${range.last} of ${file})`,
  );
  const source = readFileSync(file, 'utf8').split('\n')[hottest.line - 1];
  assert.equal(
    hottest.lineText.trimEnd(),
    source.trimEnd(),
    'the labelled line is the source line',
  );
}

/** The CodeLens shows a share and a time. */
export function assertLensHasTimings(lens: LensInfo): void {
  assert.match(lens.text, /\d+(?:\.\d+)?%/, `CodeLens "${lens.text}" shows a share`);
  assert.match(lens.text, /\d+(?:\.\d+)? ?(?:µs|ms|s)\b/, `CodeLens "${lens.text}" shows a time`);
}

/** Runs the profile command on the file open in the active editor and waits for the status bar. */
export async function profileActiveFile(vs: VsCodeSession): Promise<string> {
  await vs.runCommand('Heatlens: Profile Current File');
  const status = await waitFor('the Heatlens status bar item', () => vs.statusBarItem('flame'));
  process.stderr.write(`[e2e] status bar: "${status}"\n`);
  return status;
}

/** Runs Heatlens: Clear and waits until labels, Heatlens CodeLenses and the status item are gone. */
export async function clearAndCheck(vs: VsCodeSession): Promise<void> {
  await vs.runCommand('Heatlens: Clear');
  await waitFor(
    'Clear to remove the heat labels',
    async () => (await vs.afterLabels()).length === 0,
  );
  await waitFor('Clear to remove the CodeLenses', async () => (await vs.codeLenses()).length === 0);
  await waitFor(
    'Clear to hide the status bar item',
    async () => (await vs.statusBarItem('flame')) === undefined,
  );
}

/**
 * Starts a scenario from a clean window whatever the previous one left (a failed scenario stops
 * before its own Clear): closes the editors and clears any shown profile.
 */
export async function resetState(vs: VsCodeSession): Promise<void> {
  await vs.runCommand('View: Close All Editors');
  await vs.runCommand('Heatlens: Clear');
  await waitFor(
    'a clean window (no Heatlens status bar item)',
    async () => (await vs.statusBarItem('flame')) === undefined,
  );
}

/** The examples workspace. */
export function examplesDir(root: string): string {
  return join(root, 'examples');
}
