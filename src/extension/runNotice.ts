import * as vscode from 'vscode';
import * as path from 'node:path';
import { formatShare, formatWeight } from '../core/format';
import { heatElsewhere } from '../core/hotFiles';
import { profileTotal, type Profile } from '../core/profile';
import { openAt } from './controller';
import { pathKey } from '../core/paths';

/** The notification that ends a run, and the source line it offers to open. */
export interface RunNotice {
  readonly message: string;
  /** The hottest line of the hottest file, when that file is not the one that ran. */
  readonly open?: { readonly file: string; readonly line1: number; readonly button: string };
}

/**
 * What to say when a run is shown. When the file that ran stays cold (a bundle whose source map
 * moves the time to `src/*.ts`, an entry file that calls into others), the person looking at it
 * sees no heat: say which file holds the time and offer its hottest line. Figures are those of
 * the gutter (line self weight over the run's total).
 */
export function runNotice(
  name: string,
  durationMs: number,
  profile: Profile,
  ranFile: string,
  cancelled = false,
): RunNotice {
  const seconds = (durationMs / 1000).toFixed(2);
  const done = cancelled
    ? `Heatlens: cancelled ${name} after ${seconds} s; showing what was recorded until then`
    : `Heatlens: profiled ${name} (${seconds} s)`;
  const ranKey = pathKey(ranFile);
  const elsewhere = heatElsewhere(profile, (f) => pathKey(f) === ranKey);
  if (!elsewhere) return { message: `${done}.` };
  const { hottest, ranSelf } = elsewhere;
  const total = profileTotal(profile);
  const unit = profile.meta.unit;
  const shown = vscode.workspace.asRelativePath(hottest.file, false);
  const fn =
    hottest.hottestFrameId !== null ? profile.frames[hottest.hottestFrameId]?.name : undefined;
  const where =
    `${shown} holds ${formatShare(hottest.self, total)} of the run ` +
    `(${formatWeight(hottest.self, unit)}), most on line ${hottest.hottestLine1}` +
    `${fn ? ` (${fn})` : ''}`;
  const ran =
    ranSelf > 0
      ? `${name} itself holds ${formatShare(ranSelf, total)}`
      : `${name} itself has no heat`;
  return {
    message: cancelled ? `${done}. ${ran}; ${where}.` : `${done}: ${ran}; ${where}.`,
    open: {
      file: hottest.file,
      line1: hottest.hottestLine1,
      button: `Open ${path.basename(hottest.file)}:${hottest.hottestLine1}`,
    },
  };
}

/** Shows the run's notification: open the hottest file's line, or the flame graph. */
export async function showRunNotice(notice: RunNotice): Promise<void> {
  const flame = 'Open Flame Graph';
  const buttons = notice.open ? [notice.open.button, flame] : [flame];
  const choice = await vscode.window.showInformationMessage(notice.message, ...buttons);
  if (choice === flame) await vscode.commands.executeCommand('heatlens.showFlameGraph');
  else if (choice && notice.open) await openAt(notice.open.file, notice.open.line1);
}
