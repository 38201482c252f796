/**
 * The messages between the extension host and the flame graph webview, both ways. One module so
 * that both sides are type-checked against the same unions (discriminated by `type`).
 *
 * The profile crosses once, in the compact form of wire.ts, after the webview says it is ready;
 * everything else is small.
 */
import type { WireProfile } from './wire';
import type { WireCompare } from './wireCompare';

/**
 * The views of the flame graph panel. 'diff' (the new run colored by its change against an old
 * one) exists only when the profile came with a comparison; 'callGraph' is the gprof2dot-style
 * graph.
 */
export type FlameView = 'flame' | 'diff' | 'timeOrder' | 'sandwich' | 'table' | 'callGraph';

/** What to show first: a frame (function) and, optionally, the view to show it in. */
export interface FlameFocus {
  /** A frame id of the profile (an index into `Profile.frames`). */
  readonly frameId: number;
  /** 'sandwich' shows its callers and callees; 'flame' (the default) zooms to its heaviest node. */
  readonly view?: 'sandwich' | 'flame';
}

/** Host -> webview: the profile to show (sent once per webview load, after 'ready'). */
export interface ProfileMessage {
  readonly type: 'profile';
  readonly profile: WireProfile;
  readonly focus?: FlameFocus;
  /** The profile compared with an earlier run (wireCompare.ts `encodeCompare`): shows the 'diff' view. */
  readonly compare?: WireCompare;
}

/** Host -> webview: focus a frame of the profile already shown. */
export interface FocusMessage extends FlameFocus {
  readonly type: 'focus';
}

/** Host -> webview: the color theme changed; re-read the `--vscode-*` variables and redraw. */
export interface ThemeMessage {
  readonly type: 'theme';
}

/** Host -> webview: there is no profile to show (a restored panel after a reload, for example). */
export interface EmptyMessage {
  readonly type: 'empty';
  /** What the person should do, shown as text. */
  readonly message: string;
}

/** Every message the host posts to the webview. */
export type HostToWebview = ProfileMessage | FocusMessage | ThemeMessage | EmptyMessage;

/** Webview -> host: the script has loaded and listens; send the profile. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** Webview -> host: open a file at a 1-based line in the editor. */
export interface OpenSourceMessage {
  readonly type: 'openSource';
  readonly file: string;
  readonly line1: number;
}

/** Webview -> host: something failed in the webview; the host shows or logs it. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** Every message the webview posts to the host. */
export type WebviewToHost = ReadyMessage | OpenSourceMessage | ErrorMessage;

/** True when `value` looks like a {@link WebviewToHost} message (the host trusts nothing blindly). */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'openSource':
      return (
        typeof m.file === 'string' &&
        typeof m.line1 === 'number' &&
        Number.isInteger(m.line1) &&
        m.line1 >= 1
      );
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}

/** A box of a chart, by row and index in that row (layouts are deterministic per profile). */
export interface BoxRef {
  readonly row: number;
  readonly index: number;
}

/** The webview's saved UI state (`getState`/`setState`), restored after a reload. */
export interface FlameUiState {
  readonly view: FlameView;
  /** Zoom stack of the flame or time-order chart, outermost first. */
  readonly zoom: readonly BoxRef[];
  readonly selected: BoxRef | null;
  readonly search: string;
  readonly regex: boolean;
  readonly myCodeOnly: boolean;
  readonly inverted: boolean;
  /** Frame shown in the sandwich view, or -1. */
  readonly sandwichFrame: number;
  readonly tableSort: 'self' | 'total' | 'calls' | 'name';
  /** The call graph view's settings (absent: gprof2dot's thresholds, no focus). */
  readonly graph?: CallGraphUiState;
  /** Identifies the profile the state belongs to, so a new profile does not inherit a zoom. */
  readonly profileKey: string;
}

/** The call graph view's settings (webview/callGraphView.ts). */
export interface CallGraphUiState {
  /** Percent of the total under which functions and edges are left out (gprof2dot's -n, -e). */
  readonly nodeThreshold: number;
  readonly edgeThreshold: number;
  /** Show only the selected function's callers and callees, `depth` levels away. */
  readonly focus: boolean;
  readonly depth: number;
}
