import * as vscode from 'vscode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../core/profile';
import { insideFolders } from '../io/insideFolders';
import { readReportAssets } from '../io/reportAssets';
import { readReportSources, type ReportSources } from '../io/reportSources';
import { callGraphDrawing } from '../formats/exportSvg';
import { reportData } from '../shared/reportData';
import { reportHtml } from '../shared/reportHtml';
import type { Presenter } from './controller';
import { loadProfileFile } from './loadProfile';

/**
 * "Heatlens: Export HTML Report": the profile shown (the last run, a stored run, a profile file
 * opened), or a profile file picked in the explorer, as one self-contained HTML file to share
 * (src/shared/reportHtml.ts: the flame graph's viewer, the profile and the hot source files
 * inlined, loading nothing). Before writing it says that the report holds the source of the hot
 * files and offers to leave it out. A run recorded here may put any file it ran in the report; a
 * profile opened from a file only the files inside the workspace folders, as for its source maps
 * (openedSources.ts). Paths and names from the profile go to the output channel, never into a
 * notification (which would render them as links).
 */

/** What the report is made of. */
interface Subject {
  readonly profile: Profile;
  /** The file the report is named after (the profiled program or the profile file). */
  readonly file: string | undefined;
  readonly title: string;
  /** Recorded on this machine by Heatlens (a run), rather than opened from a file. */
  readonly recordedHere: boolean;
}

/** The profile the command reports on, or undefined (the person was told why). */
async function subjectOf(
  presenter: Presenter,
  output: vscode.OutputChannel,
  uri: vscode.Uri | undefined,
): Promise<Subject | undefined> {
  if (uri?.scheme === 'file') {
    const loaded = await loadProfileFile(uri.fsPath, output).catch((err: unknown) => {
      void vscode.window.showErrorMessage(
        `Heatlens could not read ${path.basename(uri.fsPath)}: ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    });
    if (!loaded) return undefined;
    const title = path.basename(uri.fsPath);
    return { profile: loaded.profile, file: uri.fsPath, title, recordedHere: false };
  }
  const shown = presenter.current;
  if (!shown) {
    void vscode.window.showInformationMessage(
      presenter.comparison
        ? 'Heatlens: a report shows one run; open a run (not a comparison) and export again.'
        : 'Heatlens: there is no profile to export. Run "Heatlens: Profile Current File" or open a profile file first.',
    );
    return undefined;
  }
  const file = shown.run.file;
  return {
    profile: shown.profile,
    file,
    title: file ? path.basename(file) : shown.run.label,
    recordedHere: shown.run.outcome !== undefined,
  };
}

/** The real paths of the workspace's local folders. */
async function folderRoots(): Promise<string[]> {
  const roots: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    roots.push(await fs.realpath(folder.uri.fsPath).catch(() => folder.uri.fsPath));
  }
  return roots;
}

/** The hot sources the report may carry (see the module comment), logged to the output. */
async function readSources(subject: Subject, output: vscode.OutputChannel): Promise<ReportSources> {
  const roots = subject.recordedHere ? [] : await folderRoots();
  const read = await readReportSources(
    subject.profile,
    subject.recordedHere
      ? {}
      : {
          allow: (file) => insideFolders(file, roots),
          deniedWhy: 'is outside the workspace folders (the profile was opened from a file)',
        },
  );
  for (const s of read.sources) output.appendLine(`[heatlens] report: source of ${s.file}`);
  for (const l of read.leftOut)
    output.appendLine(`[heatlens] report: not included: ${l.file} ${l.why}`);
  return read;
}

/** Asks whether to put the sources in; undefined when the person cancelled. */
async function askSources(
  count: number,
  output: vscode.OutputChannel,
): Promise<boolean | undefined> {
  output.show(true);
  const include = 'Include Source';
  const leave = 'Leave Source Out';
  const files = count === 1 ? 'one hot file' : `${count} hot files`;
  const choice = await vscode.window.showWarningMessage(
    `The report will contain the source code of ${files} (listed in the Heatlens output).`,
    {
      modal: true,
      detail:
        'Anyone who opens the report can read that code. Leave it out to share only the profile: the names of its functions and files stay in.',
    },
    include,
    leave,
  );
  return choice === include ? true : choice === leave ? false : undefined;
}

function megabytes(bytes: number): string {
  return bytes < 1 << 20
    ? `${(bytes / 1024).toFixed(0)} KB`
    : `${(bytes / (1 << 20)).toFixed(1)} MB`;
}

/**
 * The command. `target` (a file to write) and `includeSources` make it run without asking (the
 * tests); resolves to the path written, or undefined.
 */
export async function exportHtmlReportCommand(
  extensionPath: string,
  presenter: Presenter,
  output: vscode.OutputChannel,
  uri?: vscode.Uri,
  target?: vscode.Uri,
  includeSources?: boolean,
): Promise<string | undefined> {
  const subject = await subjectOf(presenter, output, uri);
  if (!subject) return undefined;
  const read = await readSources(subject, output);
  let include = includeSources;
  if (include === undefined) {
    include = read.sources.length ? await askSources(read.sources.length, output) : true;
    if (include === undefined) return undefined;
  }
  let destination = target;
  if (!destination) {
    const folder = subject.file
      ? path.dirname(subject.file)
      : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const stem = subject.title.replace(/\.[^.]+$/, '');
    destination = await vscode.window.showSaveDialog({
      title: 'Heatlens: export an HTML report',
      defaultUri: folder ? vscode.Uri.file(path.join(folder, `${stem}.report.html`)) : undefined,
      filters: { HTML: ['html'] },
    });
  }
  if (!destination) return undefined;
  if (subject.file && destination.fsPath === subject.file) {
    void vscode.window.showErrorMessage(
      'Heatlens will not write the report over the profile; choose another file name.',
    );
    return undefined;
  }
  let html: string;
  try {
    const sources = include ? read.sources : undefined;
    const leftOut = include ? read.leftOut : [];
    const callGraphSvg = await callGraphDrawing(subject.profile);
    const data = reportData(subject.profile, {
      title: subject.title,
      sources,
      leftOut,
      callGraphSvg,
    });
    html = reportHtml(data, readReportAssets(path.join(extensionPath, 'dist')));
    await fs.writeFile(destination.fsPath, html);
  } catch (err) {
    void vscode.window.showErrorMessage(
      `Heatlens could not write the report: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
  const n = include ? read.sources.length : 0;
  const holds = include
    ? n
      ? `with the source of ${n === 1 ? 'one hot file' : `${n} hot files`}`
      : 'without source files'
    : 'without the sources';
  const left =
    include && read.leftOut.length
      ? `; ${read.leftOut.length} hot ${read.leftOut.length === 1 ? 'file was' : 'files were'} left out (see the Heatlens output)`
      : '';
  output.appendLine(`[heatlens] report written to ${destination.fsPath} ${holds}`);
  const written = destination;
  void vscode.window
    .showInformationMessage(
      `Heatlens wrote the report (${megabytes(Buffer.byteLength(html))}) ${holds}${left}.`,
      'Open in Browser',
    )
    .then((choice) => choice && vscode.env.openExternal(written));
  return destination.fsPath;
}
