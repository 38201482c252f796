import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionStats } from '../core/functionStats';
import { profileTotal, type Profile } from '../core/profile';
import {
  checkFormatConformance,
  perfReport,
  type Reference,
} from '../../test/support/formatConformance';
import { repoRoot } from '../../test/support/repoRoot';
import { importProfileFile, profileChoices } from './detect';
import { ProfileFormatError } from './errors';
import { importPerfScript, isPerfScript, perfScriptChoices } from './perfScript';

const FOLDER = 'test/fixtures/perf-script';
const read = (name: string) => readFileSync(join(repoRoot(), FOLDER, name), 'utf8');
const load = (name: string, choice?: string) =>
  importPerfScript(read(name), { sourceFile: name, choice });

function stats(p: Profile, name: string) {
  const matches = functionStats(p).filter((s) => s.frame.name === name);
  assert.equal(matches.length, 1, `one function ${name}`);
  return matches[0];
}

/** The `--tid` report's thread id (its first line is `# perf report --tid <tid>`). */
const tidOf = (report: string) => /^# perf report --tid (\d+)/.exec(read(report))![1];

test("each thread, picked by its pid/tid, has perf report --tid's figures", () => {
  const choices = perfScriptChoices(read('threads.perf'));
  assert.equal(choices[0].id, 'all');
  for (const n of [1, 2, 3]) {
    const report = `threads.report.thread${n}.txt`;
    const tid = tidOf(report);
    assert.ok(
      choices.some((c) => c.id === tid && c.label === `threads ${tid}`),
      JSON.stringify(choices),
    );
    checkFormatConformance(
      `${FOLDER}/threads.perf`,
      'perf-script',
      perfReport(`${FOLDER}/${report}`),
      {
        choice: tid,
      },
    );
  }
  // The workers' hot functions: spin_a about three times spin_b, each on its own thread.
  const a = load('threads.perf', tidOf('threads.report.thread2.txt'));
  const b = load('threads.perf', tidOf('threads.report.thread3.txt'));
  assert.ok(stats(a, 'spin_a').self > 0.9 * profileTotal(a));
  assert.ok(!a.frames.some((f) => f.name === 'spin_b'));
  assert.ok(stats(b, 'spin_b').self > 0.9 * profileTotal(b));
});

test('all threads: one pseudo frame per thread, whose totals are the threads’ own', () => {
  const all = load('threads.perf');
  const roots = [
    ...all.tree.children.subarray(
      all.tree.childStart[0],
      all.tree.childStart[0] + all.tree.childCount[0],
    ),
  ];
  assert.equal(roots.length, 3);
  for (const node of roots) {
    const frame = all.frames[all.tree.frame[node]];
    assert.equal(frame.kind, 'pseudo');
    const tid = frame.name.split(' ').pop()!;
    assert.equal(all.tree.total[node], profileTotal(load('threads.perf', tid)), frame.name);
  }
  // Threads run at once on two CPUs: no single time line.
  assert.equal(all.samples, undefined);
  // The same, through detection: the editor's and the CLI's picker.
  const bytes = new TextEncoder().encode(read('threads.perf'));
  assert.deepEqual(
    profileChoices('threads.perf', bytes).map((c) => c.id),
    perfScriptChoices(read('threads.perf')).map((c) => c.id),
  );
});

test('a thread that is not in the file is an error naming the file and the threads', () => {
  assert.throws(
    () => load('threads.perf', '99999'),
    (e: Error) =>
      e instanceof ProfileFormatError &&
      e.message.includes('"threads.perf" has no profile "99999"') &&
      e.message.includes(tidOf('threads.report.thread2.txt')),
  );
});

test('weights: the period, in nanoseconds for cpu-clock, with the samples in time order', () => {
  const p = load('hot.perf');
  assert.equal(p.meta.profiler, 'perf');
  assert.equal(p.meta.unit, 'nanoseconds');
  assert.equal(p.meta.clock, 'cpu');
  const ref = perfReport(`${FOLDER}/hot.report.txt`);
  assert.equal(profileTotal(p), ref.total);
  assert.equal(p.meta.sampleCount, Number(/^# Samples: (\d+)/m.exec(read('hot.report.txt'))![1]));
  assert.equal(p.samples?.count, p.meta.sampleCount);
  const s = p.samples!;
  for (let i = 1; i < s.count; i++) assert.ok(s.start[i] >= s.start[i - 1]);
  assert.equal(
    s.weight.reduce((a, b) => a + b, 0),
    profileTotal(p),
  );
  assert.deepEqual(p.meta.warnings, []);
});

test('without the period (-F), each sample weighs 1 and the figures are the same samples', () => {
  const withPeriod = load('hot.perf');
  for (const name of ['hot.fields.perf', 'hot.brief.perf']) {
    const p = load(name);
    assert.equal(p.meta.unit, 'samples');
    assert.equal(profileTotal(p), withPeriod.meta.sampleCount, name);
    for (const fn of ['leaf', 'work', 'setup', 'main']) {
      const ours = stats(p, fn);
      const theirs = stats(withPeriod, fn);
      assert.equal(ours.self * 1001001, theirs.self, `${name} ${fn} self`);
      assert.equal(ours.total * 1001001, theirs.total, `${name} ${fn} total`);
    }
  }
});

test('frame kinds: kernel frames are the runtime’s, shared libraries library code, the program the user’s', () => {
  const p = load('hot.perf');
  const kind = (name: string) => p.frames.find((f) => f.name === name)?.kind;
  assert.equal(kind('leaf'), 'user');
  assert.equal(kind('main'), 'user');
  assert.equal(kind('__libc_start_call_main'), 'library');
  // Every symbol perf placed in the kernel.
  const kernel = new Set(
    [
      ...read('hot.perf').matchAll(
        /^\t\s*[0-9a-f]+ (\S+?)\+0x[0-9a-f]+ \(\[kernel\.kallsyms\]\)$/gm,
      ),
    ].map((m) => m[1]),
  );
  assert.ok(kernel.size > 0);
  for (const name of kernel) assert.equal(kind(name), 'runtime', name);
  // Symbol offsets are cut off: one function, whatever the address in it.
  assert.ok(!p.frames.some((f) => /\+0x/.test(f.name)));
  // perf's unresolved frames keep their binary's name, and are the runtime's.
  const unknown = p.frames.filter((f) => f.name.startsWith('[unknown]'));
  assert.ok(unknown.length > 0);
  assert.ok(unknown.every((f) => f.kind === 'runtime'));
});

test('source lines (-F +srcline) give the frames their files and the leaf lines their heat', () => {
  const p = load('hot.fields.perf');
  const leaf = p.frames.find((f) => f.name === 'leaf')!;
  assert.equal(leaf.file, 'hot.c');
  assert.equal(leaf.line1, null);
  // One line per sample at most: the line table adds up to the samples whose leaf has a line.
  let sum = 0;
  for (let i = 0; i < p.lines.count; i++) sum += p.lines.self[i];
  assert.ok(sum <= profileTotal(p));
  const hotLines = new Map<number, number>();
  for (let i = 0; i < p.lines.count; i++)
    if (p.lines.files[p.lines.file[i]] === 'hot.c')
      hotLines.set(p.lines.line1[i], (hotLines.get(p.lines.line1[i]) ?? 0) + p.lines.self[i]);
  // leaf's loop (lines 8 and 11 of hot.c) holds the samples leaf is the leaf of.
  const inLeaf = (hotLines.get(8) ?? 0) + (hotLines.get(11) ?? 0);
  assert.equal(inLeaf, stats(p, 'leaf').self);
  // Kernel frames' source lines (`[kernel.kallsyms][ffff...]`) are no files.
  assert.ok(!p.lines.files.some((f) => f.startsWith('[')));
});

test('inlined frames (--inline) are children of the function they were inlined into', () => {
  const plain = load('hot.fields.perf');
  const p = load('hot.inlined.perf');
  const square = stats(p, 'square');
  const leaf = stats(p, 'leaf');
  assert.ok(square.self > 0);
  // The samples in square were leaf's: leaf keeps its total, its self moves to square.
  assert.equal(leaf.total, stats(plain, 'leaf').total);
  assert.equal(leaf.self + square.self, stats(plain, 'leaf').self);
  const t = p.tree;
  for (let n = 1; n < t.size; n++)
    if (p.frames[t.frame[n]].name === 'square')
      assert.equal(p.frames[t.frame[t.parent[n]]].name, 'leaf');
  // Detected and read through the registry like the others.
  checkFormatConformance(`${FOLDER}/hot.inlined.perf`, 'perf-script', undefined);
});

test('without call chains (-G, or a recording without -g): the leaf on the header line', () => {
  const p = load('hot.flat.perf');
  assert.deepEqual(p.meta.warnings, []);
  const ref = perfReport(`${FOLDER}/hot.report.txt`);
  assert.equal(profileTotal(p), ref.total);
  // Each sample is its leaf alone: perf report's self figures, and totals equal to self.
  for (const row of ref.rows.filter((r) => r.self > 0)) {
    const s = stats(p, row.key);
    assert.equal(s.self, row.self, row.key);
    assert.equal(s.total, s.self, row.key);
  }
});

const SAMPLE = [
  'hot 18599 22886.616770:    1001001 cpu-clock:ppp: ',
  '\t            1188 leaf+0x3f (/tmp/hot)',
  '\t            11c2 work+0x1e (/tmp/hot)',
  '',
  '',
].join('\n');

test('detection by content: perf script text, and not other formats’ text', () => {
  assert.ok(isPerfScript(undefined, SAMPLE));
  assert.ok(isPerfScript(undefined, `# ========\n# captured on: x\n# ========\n#\n${SAMPLE}`));
  // Without call chains, one line per sample with a time and an event.
  const flat = [
    '             hot 18599 22886.616770:    1001001 cpu-clock:ppp:          1188 leaf+0x3f (/tmp/hot)',
    '             hot 18599 22886.617770:    1001001 cpu-clock:ppp:          1188 leaf+0x3f (/tmp/hot)',
    '',
  ].join('\n');
  assert.ok(isPerfScript(undefined, flat));
  assert.equal(stats(importPerfScript(flat), 'leaf').self, 2002002);
  for (const other of [
    'main;work;leaf 12\nmain;setup 3\n',
    '{"nodes": []}',
    'events: Ir\nfl=a.c\nfn=main\n1 10\n',
    'hello world\n',
  ])
    assert.ok(!isPerfScript(undefined, other), other);
  // perf.data given by mistake: claimed, to say what to do with it.
  assert.throws(
    () => importProfileFile('perf.data', new TextEncoder().encode('PERFILE2\u0000\u0001')),
    /"perf.data" is perf's binary perf.data.*perf script -i/,
  );
});

test('header fields as -F chooses them: comm with blanks, pid/tid, cpu, no time', () => {
  const text = [
    'Web Content 1200/1201 [001] 5.000000:    2000 cycles:u: ',
    '\t  4005d0 std::vector<int, std::allocator<int> >::push_back(int const&)+0x10 (/opt/app/bin/app)',
    '\t  400100 main+0x5 (/opt/app/bin/app)',
    '',
    'Web Content 1200/1202 [000] 5.001000:    3000 cycles:u: ',
    '\t  400100 main+0x5 (/opt/app/bin/app)',
    '',
  ].join('\n');
  const choices = perfScriptChoices(text);
  assert.deepEqual(
    choices.map((c) => [c.id, c.label]),
    [
      ['all', 'All threads'],
      ['1200/1201', 'Web Content 1200/1201'],
      ['1200/1202', 'Web Content 1200/1202'],
    ],
  );
  const p = importPerfScript(text, { choice: '1200/1201' });
  assert.equal(p.meta.unit, 'none');
  const push = stats(p, 'std::vector<int, std::allocator<int> >::push_back(int const&)');
  assert.equal(push.self, 2000);
  assert.equal(stats(p, 'main').total, 2000);
  // Two events in one file are never added: each is a choice.
  const two = `${text}\nWeb Content 1200/1201 [001] 5.002000:    7 instructions:u: \n\t  400100 main+0x5 (/opt/app/bin/app)\n\n`;
  const ids = perfScriptChoices(two).map((c) => c.id);
  assert.ok(ids.includes('cycles:u all') && ids.includes('instructions:u 1200/1201'), ids.join());
  assert.equal(profileTotal(importPerfScript(two)), 5000);
  assert.equal(profileTotal(importPerfScript(two, { choice: 'instructions:u all' })), 7);
});

test('a damaged file: bad lines are skipped and counted, a cut-off end is read as far as it goes', () => {
  const damaged = `${SAMPLE}garbage that is no sample\n\tnot a frame after garbage\n${SAMPLE}hot 18599 22887.0: 1001001 cpu-clock:ppp: \n\t  1188 le`;
  const p = importPerfScript(damaged, { sourceFile: 'cut.perf' });
  assert.equal(profileTotal(p), 3 * 1001001);
  assert.deepEqual(p.meta.warnings, [
    'Skipped 2 lines that are neither a sample header nor a frame, first at line 5.',
    'The file ends inside line 12 (it may be truncated): its last sample may lack frames.',
  ]);
});

test('a sample without frames keeps its weight under a pseudo frame, not on the root', () => {
  const text = `${SAMPLE}hot 18599 22887.000000:    1001001 cpu-clock:ppp: \n`;
  const p = importPerfScript(text, { sourceFile: 'cut.perf' });
  assert.equal(profileTotal(p), 2 * 1001001);
  assert.equal(p.tree.self[0], 0);
  const none = stats(p, '(no frames)');
  assert.equal(none.self, 1001001);
  assert.equal(none.frame.kind, 'pseudo');
});

test('a file without samples is an error naming the file and what is wrong', () => {
  for (const [text, says] of [
    ['# only a comment\n', /"x.perf" holds no perf script samples: it has no sample header/],
    [
      '\u0001\u0002 garbage\nmore garbage here\n',
      /"x.perf" holds no perf script samples: none of its 2 lines is a sample header/,
    ],
  ] as const) {
    assert.throws(
      () => importProfileFile('x.perf', new TextEncoder().encode(text)),
      (e: Error) => e instanceof ProfileFormatError && says.test(e.message),
      text,
    );
  }
});

test('names are kept as perf wrote them (escaping is the surfaces’ job)', () => {
  const evil = '\x1b]0;PWNED\x07evil\u202e<b>';
  const text = `${evil} 7/7 1.000000: 10 cpu-clock: \n\t 1188 ${evil}+0x3 (/tmp/${evil})\n\n`;
  const p = importPerfScript(text);
  assert.ok(p.frames.some((f) => f.name === evil));
});

// Keep the reader honest: a reference it cannot fail against would prove nothing.
test('the perf report reader fails figures that are off', () => {
  const ref: Reference = perfReport(`${FOLDER}/hot.report.txt`);
  assert.throws(() =>
    checkFormatConformance(`${FOLDER}/hot.perf`, 'perf-script', {
      ...ref,
      rows: ref.rows.map((r) => (r.key === 'leaf' ? { ...r, self: r.self + 1001001 } : r)),
    }),
  );
});
