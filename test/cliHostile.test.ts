// The CLI against hostile input: profiles whose names and paths carry terminal escapes and bidi
// overrides (pprof, pstats, callgrind, collapsed, perf script), special files given as profiles or named by
// them, files of types Heatlens does not run, and the small promises of `heatlens profile`
// (a file named with a leading dash, the program's stdin, one sentence for a failed exit).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  Function as PprofFunction,
  Line,
  Location,
  Profile as PprofProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { MarshalOutDict, writeMarshal } from '../src/formats/marshalWrite';
import { repoRoot } from './support/repoRoot';

const root = repoRoot();
const cli = join(root, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'hl-cli-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Some defects tested here are hangs (a FIFO read forever): a command still running after this
 * long fails its test instead of stalling the whole run. Far above what any of them takes.
 */
const HANG_GUARD_MS = 120_000;

function heatlens(args: string[], options: { input?: string; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? dir,
    encoding: 'utf8',
    input: options.input,
    timeout: HANG_GUARD_MS,
    killSignal: 'SIGKILL',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A name that sets the terminal's title, clears the screen, hides text and reverses it.
const TITLE = '\x1b]0;PWNED\x07';
const CLEAR = '\x1b[2J\x1b[H';
const HIDE = '\x1b[8m';
const RLO = '\u202e';
const EVIL_NAME = `${TITLE}evil${CLEAR}fn${HIDE}hidden${RLO}txt.exe`;
const EVIL_FILE = `/srv/${HIDE}src${RLO}/app\x07.py`;
/** Any byte a terminal would act on: C0/C1 controls (not newline) and bidi overrides. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function write(name: string, bytes: Uint8Array | string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

function hostilePprof(): Uint8Array {
  const s = new StringTable();
  return new PprofProfile({
    sampleType: [new ValueType({ type: s.dedup('cpu'), unit: s.dedup('nanoseconds') })],
    function: [
      new PprofFunction({ id: 1, name: s.dedup(EVIL_NAME), filename: s.dedup(EVIL_FILE) }),
      new PprofFunction({ id: 2, name: s.dedup('main'), filename: s.dedup('/srv/main.go') }),
    ],
    location: [
      new Location({ id: 1, line: [new Line({ functionId: 1, line: 3 })] }),
      new Location({ id: 2, line: [new Line({ functionId: 2, line: 9 })] }),
    ],
    sample: [new Sample({ locationId: [1, 2], value: [5_000_000] })],
    stringTable: s,
  }).encode();
}

function hostilePstats(): Uint8Array {
  const evil = [EVIL_FILE, 3n, EVIL_NAME] as const;
  const main = ['/srv/main.py', 1n, '<module>'] as const;
  return writeMarshal(
    new MarshalOutDict([
      [main, [1n, 1n, 0.001, 0.5, new MarshalOutDict()]],
      [evil, [4n, 4n, 0.499, 0.499, new MarshalOutDict([[main, [4n, 4n, 0.499, 0.499]]])]],
    ]),
  );
}

const hostileCallgrind = [
  'events: Ticks',
  `fl=${EVIL_FILE}`,
  'fn=main',
  '1 10',
  `cfn=${EVIL_NAME}`,
  'calls=1 3',
  '1 500',
  `fn=${EVIL_NAME}`,
  '3 500',
  '',
].join('\n');

const hostileCollapsed = `main;${EVIL_NAME} 50\nmain;${EVIL_NAME} (${EVIL_FILE}:3) 20\nmain 5\n`;

// perf script: the names in the comm, the symbol and the binary; two threads, so that the
// comm also names a thread's pseudo frame.
const hostilePerf = [1, 2]
  .map((tid) =>
    [
      `${HIDE}evil${RLO} 7/${tid} 1.00000${tid}:    1001001 cpu-clock: `,
      `\t            1188 ${EVIL_NAME}+0x10 (${EVIL_FILE})`,
      `\t            1100 main+0x4 (/srv/${TITLE}app)`,
      '',
    ].join('\n'),
  )
  .join('\n');

describe('summary and profile print no terminal escapes a profile brought', () => {
  const cases = [
    ['hostile.pprof', hostilePprof()],
    ['hostile.prof', hostilePstats()],
    ['callgrind.out.hostile', hostileCallgrind],
    ['hostile.folded', hostileCollapsed],
    ['hostile.perf', hostilePerf],
  ] as const;
  for (const [name, bytes] of cases) {
    it(name, () => {
      const file = write(name, bytes);
      const r = heatlens(['summary', file, '--all']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, UNSAFE, JSON.stringify(r.stdout));
      assert.doesNotMatch(r.stderr, UNSAFE, JSON.stringify(r.stderr));
      // Shown escaped, the way `cat -v` would make them visible (collapsed stacks split the
      // name at the title sequence's `;`, their frame separator).
      assert.ok(
        r.stdout.includes('PWNED\\x07evil\\x1b[2J\\x1b[Hfn\\x1b[8mhidden\\u202etxt.exe'),
        r.stdout,
      );
      // --json stays exact: a program reading it gets the name as it is.
      const json = heatlens(['summary', file, '--json']);
      const names = (JSON.parse(json.stdout) as { functions: { name: string }[] }).functions;
      assert.ok(names.some((f) => f.name.endsWith(`fn${HIDE}hidden${RLO}txt.exe`)));
    });
  }

  it('the choice of profiles and the file name in messages are escaped too', () => {
    const file = write(`${HIDE}evil${RLO}.pprof`, hostilePprof());
    const r = heatlens(['summary', file, '--profile', 'nope']);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, UNSAFE, JSON.stringify(r.stderr));
    assert.match(r.stderr, /\\x1b\[8mevil\\u202e\.pprof/);
  });
});

describe('inputs must be regular files', () => {
  const fifo = join(dir, 'fifo.cpuprofile');
  execFileSync('mkfifo', [fifo]);
  for (const [what, file, says] of [
    ['a FIFO', fifo, /it is not a regular file \(it is a FIFO\)/],
    ['/dev/zero', '/dev/zero', /it is not a regular file \(it is a device\)/],
    ['/dev/stdin (a terminal or a pipe)', '/dev/stdin', /it is not a regular file/],
  ] as const) {
    it(`summary and convert of ${what} are refused at once`, () => {
      for (const args of [
        ['summary', file],
        ['convert', file, '--to', 'collapsed', '--out', join(dir, 'x.folded')],
      ]) {
        const r = heatlens(args, { input: '' });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, says);
        assert.match(r.stderr, /regular files only/);
      }
    });
  }

  it('profile of a FIFO named app.js is refused before anything runs', () => {
    const named = join(dir, 'app.js');
    execFileSync('mkfifo', [named]);
    const r = heatlens(['profile', named]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot profile ".*app\.js": it is not a regular file \(it is a FIFO\)/);
  });

  it('a sourceMappingURL naming a private file: the warning quotes none of it', () => {
    const secret = write('secret.txt', 'root:x:0:0:SECRET-CONTENT:/root:/bin/bash\n');
    const script = write('mapped.js', `function hot() {}\n//# sourceMappingURL=${secret}\n`);
    const profile = write(
      'mapped.cpuprofile',
      JSON.stringify({
        nodes: [
          {
            id: 1,
            callFrame: {
              functionName: '(root)',
              scriptId: '0',
              url: '',
              lineNumber: -1,
              columnNumber: -1,
            },
            children: [2],
          },
          {
            id: 2,
            callFrame: {
              functionName: 'hot',
              scriptId: '1',
              url: `file://${script}`,
              lineNumber: 0,
              columnNumber: 0,
            },
            hitCount: 3,
          },
        ],
        startTime: 0,
        endTime: 3000,
        samples: [2, 2, 2],
        timeDeltas: [1000, 1000, 1000],
      }),
    );
    const r = heatlens(['summary', profile, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings.join('\n');
    assert.match(warnings, /secret\.txt is broken: it is not valid JSON/);
    assert.doesNotMatch(warnings, /root|SECRET/);
  });
});

describe('profile: what it runs and how it says how the run ended', () => {
  it('refuses a file type it does not profile, naming the ones it does', () => {
    const readme = write('README.md', '# Title\n\nSome text.\n');
    const r = heatlens(['profile', readme]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /cannot profile ".*README\.md": Heatlens profiles \.js, \.mjs, \.cjs, \.ts, \.mts, \.cts, \.py and \.pyw files/,
    );
    assert.doesNotMatch(r.stderr, /SyntaxError/, 'nothing ran');
  });

  it('runs a script without an extension by its #! line', () => {
    write(
      'tool',
      '#!/usr/bin/env node\nlet x = 0;\nfor (let i = 0; i < 1e6; i++) x += i;\nconsole.log("tool ran", x);\n',
    );
    const r = heatlens(['profile', 'tool', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tool ran/);
  });

  it('profile -- -dash.js runs a file whose name starts with a dash', () => {
    write('-dash.js', 'console.log("dash ran", process.argv.slice(2).join(","));\n');
    const r = heatlens(['profile', '--', '-dash.js', 'a', '--b']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dash ran a,--b/);
  });

  it("passes heatlens' standard input to the program", () => {
    const program = write(
      'echo.js',
      'let s="";process.stdin.on("data",d=>s+=d);process.stdin.on("end",()=>console.log("read:"+s.trim()));\n',
    );
    const node = heatlens(['profile', program], { input: 'hello from stdin\n' });
    assert.equal(node.code, 0, node.stderr);
    assert.match(node.stdout, /read:hello from stdin/);
    const py = write('echo.py', 'import sys\nprint("read:" + sys.stdin.read().strip())\n');
    const python = heatlens(['profile', py], { input: 'hello python\n' });
    assert.equal(python.code, 0, python.stderr);
    assert.match(python.stdout, /read:hello python/);
  });

  it('a program exiting with code 7 is told once, in one sentence', () => {
    const program = write('seven.js', 'process.exit(7);\n');
    const r = heatlens(['profile', program]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.match(/code 7/g)?.length, 1, r.stderr);
    assert.match(
      r.stderr,
      /seven\.js exited with code 7 after .*; the summary covers the run up to that point\.\n$/,
    );
  });

  it('an uncaught error is named in the same sentence', () => {
    const program = write('boom.js', 'throw new TypeError("boom");\n');
    const r = heatlens(['profile', program]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /boom\.js exited with code 1 after [^\n]*\(TypeError: boom\)/);
  });
});

describe('a cancelled run says so', () => {
  it('Ctrl+C: exit 130 and "was cancelled"', async () => {
    const program = write('forever.js', 'console.log("started");\nfor (;;) {}\n');
    const child = spawn(process.execPath, [cli, 'profile', program], { cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((res) =>
      child.stdout.on('data', (d) => String(d).includes('started') && res()),
    );
    child.kill('SIGINT');
    const code = await new Promise((res) => child.on('close', res));
    assert.equal(code, 130, stderr);
    assert.match(
      stderr,
      /forever\.js was cancelled after .*; the summary covers what was recorded until then\./,
    );
  });
});

describe('numbers no format can hold', () => {
  // valgrind never writes such a cost; a damaged or hostile file can. Before, summary printed
  // "Infinity" and "NaN%", --json had `"total": null`, and convert dropped every sample.
  const huge = '9'.repeat(310);
  const overflowing = write(
    'huge.callgrind',
    [
      'events: Ir',
      'fl=a.c',
      'fn=main',
      '1 5',
      `2 ${huge}`,
      'cfn=work',
      'calls=1 10',
      '3 7',
      'fn=work',
      '10 4',
      '',
    ].join('\n'),
  );

  it('a 310-digit callgrind cost: summary --json has no null or NaN, the table no Infinity', () => {
    const json = heatlens(['summary', overflowing, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.doesNotMatch(json.stdout, /null|NaN|Infinity/);
    const parsed = JSON.parse(json.stdout) as {
      total: number;
      functions: Array<{ name: string; self: number; total: number }>;
      warnings: string[];
    };
    assert.equal(parsed.total, 9); // main 5 + work 4: the cost past 2^64 counts 0
    assert.match(parsed.warnings.join('\n'), /huge\.callgrind/);
    const table = heatlens(['summary', overflowing]);
    assert.equal(table.code, 0, table.stderr);
    assert.doesNotMatch(table.stdout, /NaN|Infinity/);
  });

  it('convert of that file keeps every other sample and tells the warning', () => {
    const out = join(dir, 'huge.folded');
    const r = heatlens(['convert', overflowing, '--to', 'collapsed', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*huge\.callgrind/);
    const back = heatlens(['summary', out, '--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal((JSON.parse(back.stdout) as { total: number }).total, 9);
  });

  it('a weight past 2^53 is refused by an exporter that cannot write it exactly, naming the file', () => {
    const big = write(
      'big.speedscope.json',
      JSON.stringify({
        $schema: 'https://www.speedscope.app/file-format-schema.json',
        shared: { frames: [{ name: 'main' }, { name: 'work' }] },
        profiles: [
          {
            type: 'sampled',
            name: 'big',
            unit: 'none',
            startValue: 0,
            endValue: 2 ** 60,
            samples: [[0, 1], [0]],
            weights: [2 ** 60, 1],
          },
        ],
      }),
    );
    const r = heatlens(['convert', big, '--to', 'callgrind', '--out', join(dir, 'big.callgrind')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /big\.speedscope\.json" cannot be written as .*above 2\^53/);
  });
});
