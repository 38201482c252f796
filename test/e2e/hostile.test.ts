// End to end, in a real VS Code: a hostile profile (function names and caller file names that
// hold markdown: a remote image, a link dressed as Heatlens' own, raw HTML, a blank line to end
// a code span) is opened, and the hover on a hot line is rendered by VS Code's own markdown
// renderer. The rendered hover must hold no image, link or HTML element, show the names as
// text, and no request may reach the image's host. The Runs view's tooltip of a run whose file
// name holds markdown is checked the same way. Screenshots: test-output/e2e/hostile-*.png.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareE2e, VsCodeSession, waitFor } from './harness';
import { waitForLabels } from './scenarios';

const prepared = prepareE2e();
/** A file whose name is markdown: a link dressed as a Heatlens command and an image. */
const RUN_FILE = 'run [Heatlens: Clear](command:heatlens.clear) ![leak](leak.png).js';
/** A link dressed as Heatlens' own, running a command. */
const link = '[Heatlens: Open Settings](command:workbench.action.openSettings)';

/** What a rendered hover or tooltip holds: elements a person could be tricked by, and text. */
interface Rendered {
  text: string;
  elements: string[];
}

describe('hostile names in hovers and tooltips', { skip: prepared.skip }, () => {
  let vs: VsCodeSession | undefined;
  let server: Server | undefined;
  const requests: string[] = [];
  let port = 0;
  const folder = mkdtempSync(join(tmpdir(), 'hl-e2e-hostile-'));

  before(async () => {
    // The "remote host" of the hostile images: any request reaching it is a leak.
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    const image = `![leak](http://127.0.0.1:${port}/hover.png)`;
    const html = `<img src="http://127.0.0.1:${port}/html.png"><a href="https://example.com">click</a>`;

    const app = join(folder, 'app.js');
    writeFileSync(
      app,
      [
        'function hot() {',
        '  let x = 0;',
        '  for (let i = 0; i < 1e6; i++) x += i;',
        '  return x;',
        '}',
        'hot();',
        '',
      ].join('\n'),
    );
    const frame = (name: string, file: string, line0: number, col0 = 0) => ({
      functionName: name,
      scriptId: '1',
      url: `file://${file}`,
      lineNumber: line0,
      columnNumber: col0,
    });
    // A file name cannot hold a slash: a relative image and a command link.
    const callerFile = join(folder, `caller ![leak](leak.png) ${link}.js`);
    writeFileSync(
      join(folder, 'hostile.cpuprofile'),
      JSON.stringify({
        nodes: [
          { id: 1, callFrame: { ...frame('(root)', '', -1), url: '' }, children: [2] },
          {
            id: 2,
            callFrame: frame(`main\`\n\n${image}\n\n${link}`, callerFile, 0),
            children: [3],
          },
          {
            id: 3,
            // Where V8 places `function hot() {`: its parameter list, column 12 (0-based). At
            // column 0 the frame would be the module's top level, and line 3 would go to `hot`.
            callFrame: frame(`hot\`\n\n${image}\n\n${html}\n\n${link}`, app, 0, 12),
            hitCount: 50,
            positionTicks: [{ line: 3, ticks: 50 }],
          },
        ],
        startTime: 0,
        endTime: 50_000,
        samples: Array(50).fill(3),
        timeDeltas: Array(50).fill(1000),
      }),
    );
    // A file whose name is markdown, for the Runs view's tooltip.
    writeFileSync(join(folder, RUN_FILE), 'let s = 0;\nfor (let i = 0; i < 3e6; i++) s += i;\n');

    vs = await VsCodeSession.start(prepared.env!, {
      name: 'hostile',
      folder,
      packaged: true,
      settings: { 'workbench.editorAssociations': { '*.cpuprofile': 'heatlens.profile' } },
    });
  });

  after(async () => {
    await vs?.stop();
    server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The rendered markdown element holding `marker`: its text and suspicious elements. */
  function renderedWith(s: VsCodeSession, marker: string): Promise<Rendered | undefined> {
    return s.page.evaluate((m) => {
      for (const el of Array.from(document.querySelectorAll('.rendered-markdown'))) {
        const text = (el as HTMLElement).innerText ?? '';
        if (!text.includes(m)) continue;
        const elements = Array.from(
          el.querySelectorAll(
            'img, a, iframe, script, object, embed, video, audio, svg, form, input, button',
          ),
        ).map((e) => e.outerHTML.slice(0, 200));
        return { text: text.replace(/\u00a0/g, ' '), elements };
      }
      return undefined;
    }, marker);
  }

  it('the line hover shows the names as text: no image, link or HTML, no request', async () => {
    const s = vs!;
    await s.guard('hover', async () => {
      await s.openFile('hostile.cpuprofile', { textEditor: false });
      await s.openFile('app.js');
      await waitForLabels(s, 'app.js');
      // Put the cursor on the hot line (3) and ask for the hover, as a person would with the mouse.
      await s.page.keyboard.press('Control+G');
      await s.page.keyboard.insertText('3');
      await s.page.keyboard.press('Enter');
      const hover = await waitFor('the Heatlens hover', async () => {
        await s.runCommand('Show or Focus Hover');
        return waitFor('the hover to render', () => renderedWith(s, 'Heatlens'), 5_000).catch(
          () => undefined,
        );
      });
      await s.screenshot('1-hover');
      process.stderr.write(`[e2e] hostile hover: ${JSON.stringify(hover)}\n`);
      assert.deepEqual(hover.elements, [], 'no image, link or HTML element in the hover');
      // The names are there, as the text they are.
      assert.ok(hover.text.includes(`![leak](http://127.0.0.1:${port}/hover.png)`), hover.text);
      assert.ok(
        hover.text.includes('[Heatlens: Open Settings](command:workbench.action.openSettings)'),
      );
      assert.ok(hover.text.includes('<img src='), hover.text);
      assert.ok(
        hover.text.includes(`caller ![leak](leak.png) ${link}.js:1`),
        "the caller's file name, as text",
      );
      assert.deepEqual(requests, [], 'nothing was fetched');
    });
  });

  it("the Runs view's tooltip shows a markdown file name as text", async () => {
    const s = vs!;
    await s.guard('runs-tooltip', async () => {
      await s.dismiss();
      await s.openFile(RUN_FILE);
      await s.runCommand('Heatlens: Profile Current File');
      await waitForLabels(s, 'the markdown-named file');
      await s.runCommand('Heatlens: Focus on Runs View');
      const row = s.page.locator('.monaco-list-row', { hasText: /v8/ }).first();
      const tooltip = await waitFor('the run tooltip', async () => {
        await row.hover({ timeout: 5_000 });
        return waitFor(
          'the tooltip to render',
          () => renderedWith(s, 'profile total'),
          5_000,
        ).catch(() => undefined);
      });
      await s.screenshot('2-runs-tooltip');
      process.stderr.write(`[e2e] runs tooltip: ${JSON.stringify(tooltip)}\n`);
      assert.deepEqual(tooltip.elements, [], 'no image, link or HTML element in the tooltip');
      assert.ok(tooltip.text.includes(RUN_FILE), tooltip.text);
      assert.deepEqual(requests, []);
    });
  });
});
