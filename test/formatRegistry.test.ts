// The format registry (src/formats/registry.ts) against what cannot read it at run time:
// package.json's profile editors and explorer menus, and the CLI's help text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpText } from '../src/cli/help';
import { EXPORT_FORMATS } from '../src/formats/exportProfile';
import {
  ANY_FILE_PATTERNS,
  DRAWING_FORMATS,
  isProfileFileName,
  FORMAT_ROWS,
} from '../src/formats/registry';
import { sampleName } from './support/formatConformance';
import { repoRoot } from './support/repoRoot';

const FORMATS = FORMAT_ROWS;

interface Manifest {
  contributes: {
    customEditors: { viewType: string; selector: { filenamePattern: string }[] }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const manifest = (): Manifest =>
  JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as Manifest;

/**
 * What is wrong with a manifest's profile editors: the default editor's patterns must be every
 * row's patterns and nothing else, the "any file" editor's {@link ANY_FILE_PATTERNS}.
 */
function editorPatternProblems(m: Manifest): string[] {
  const problems: string[] = [];
  const want: Record<string, readonly string[]> = {
    'heatlens.profile': FORMATS.flatMap((f) => f.patterns),
    'heatlens.profileAny': ANY_FILE_PATTERNS,
  };
  const editors = m.contributes.customEditors;
  for (const [viewType, patterns] of Object.entries(want)) {
    const editor = editors.find((e) => e.viewType === viewType);
    if (!editor) {
      problems.push(`no custom editor ${viewType}`);
      continue;
    }
    const have = editor.selector.map((s) => s.filenamePattern);
    for (const p of patterns)
      if (!have.includes(p)) problems.push(`${viewType} lacks the pattern ${p}`);
    for (const p of have)
      if (!patterns.includes(p)) problems.push(`${viewType} has ${p}, which no row has`);
  }
  for (const e of editors)
    if (!(e.viewType in want)) problems.push(`custom editor ${e.viewType} is not a format editor`);
  return problems;
}

/** Whether a `when` clause of `resourceExtname =~ /re/ || resourceFilename =~ /re/` admits `name`. */
function whenAdmits(when: string, name: string): boolean {
  const ext = /\.[^.]*$/.exec(name)?.[0] ?? '';
  return when.split('||').some((part) => {
    const m = /^\s*(resourceExtname|resourceFilename)\s*=~\s*\/(.*)\/([a-z]*)\s*$/.exec(part);
    assert.ok(m, `a when clause Heatlens does not read: ${part}`);
    return new RegExp(m[2], m[3]).test(m[1] === 'resourceExtname' ? ext : name);
  });
}

test("package.json's profile editor opens every row's file patterns and nothing else", () => {
  assert.deepEqual(editorPatternProblems(manifest()), []);
});

test('the editor check fails for a pattern missing from package.json, or one no row has', () => {
  const m = manifest();
  const editor = m.contributes.customEditors.find((e) => e.viewType === 'heatlens.profile')!;
  const removed = editor.selector.shift()!.filenamePattern;
  editor.selector.push({ filenamePattern: '*.nothing' });
  assert.deepEqual(editorPatternProblems(m), [
    `heatlens.profile lacks the pattern ${removed}`,
    'heatlens.profile has *.nothing, which no row has',
  ]);
});

test("the explorer's Open Profile and Export entries, and the Open command, take every row's names", () => {
  const menu = manifest().contributes.menus['explorer/context'];
  for (const command of [
    'heatlens.openProfile',
    'heatlens.exportProfile',
    'heatlens.exportHtmlReport',
  ]) {
    const when = menu.find((e) => e.command === command)?.when;
    assert.ok(when, command);
    for (const f of FORMATS) {
      for (const glob of f.patterns) {
        const name = sampleName(glob);
        assert.ok(whenAdmits(when, name), `${command}: ${name} (${f.id})`);
        assert.ok(isProfileFileName(name), `Open Profile File: ${name}`);
      }
    }
    assert.ok(!whenAdmits(when, 'notes.txt') && !whenAdmits(when, 'package.json'), command);
  }
  assert.ok(!isProfileFileName('notes.txt') && !isProfileFileName('package.json'));
});

test('the CLI help names every format summary reads and every format convert writes', () => {
  const help = helpText('0.0.0').replace(/\s+/g, ' ');
  for (const f of FORMATS) if (f.label) assert.ok(help.includes(f.label), f.label);
  const exportable = FORMATS.filter((f) => f.export).map((f) => f.id);
  const drawings = DRAWING_FORMATS.map((f) => f.id);
  assert.deepEqual(EXPORT_FORMATS.map((f) => f.id).sort(), [...exportable, ...drawings].sort());
  for (const f of EXPORT_FORMATS) assert.ok(help.includes(`${f.id} ${f.help}`), f.id);
  // Wrapped to the help's width.
  for (const line of helpText('0.0.0').split('\n')) assert.ok(line.length <= 95, line);
});

test('registry rows: unique ids and ranks, byte readers before text readers', () => {
  const ids = FORMATS.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
  const ranks = FORMATS.flatMap((f) => (f.label ? [f.rank] : []));
  assert.ok(ranks.every((r) => r !== undefined));
  assert.equal(new Set(ranks).size, ranks.length);
  const rows = [...FORMATS, ...DRAWING_FORMATS];
  const exportRanks = EXPORT_FORMATS.map((f) => rows.find((r) => r.id === f.id)!.export!.rank);
  assert.equal(new Set(exportRanks).size, exportRanks.length);
  // A drawing's id is no profile format's (`--to` takes both).
  for (const d of DRAWING_FORMATS) assert.ok(!ids.includes(d.id), d.id);
  // detect.ts tries the byte readers before it decodes text: the table must say so too.
  const firstText = FORMATS.findIndex((f) => f.reads === 'text');
  assert.ok(FORMATS.slice(firstText).every((f) => f.reads === 'text'));
});
