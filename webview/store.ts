/**
 * The panel's UI state (view, zoom path, selection, search, toggles: src/shared/protocol.ts's
 * FlameUiState) and the model of the profile shown, kept in one place and saved in the webview's
 * state so that a reloaded panel comes back as it was.
 */
import type { Profile } from '../src/core/profile';
import type { FlameUiState, FlameView } from '../src/shared/protocol';
import type { CompareData } from '../src/shared/wireCompare';
import type { Model } from './model';

/** The UI state, writable. */
export type UiState = { -readonly [K in keyof FlameUiState]: FlameUiState[K] };

/** Where the state is kept between reloads (the webview API's getState/setState). */
export interface StateStorage {
  getState(): unknown;
  setState(state: unknown): void;
}

export const DEFAULT_STATE: FlameUiState = {
  view: 'flame',
  zoom: [],
  selected: null,
  search: '',
  regex: false,
  myCodeOnly: false,
  inverted: false,
  sandwichFrame: -1,
  tableSort: 'total',
  profileKey: '',
};

/** The UI state and the model; `save()` after changing the state. */
export class Store {
  ui: UiState;
  model: Model | undefined;

  constructor(private readonly storage: StateStorage) {
    const saved = storage.getState() as Partial<FlameUiState> | undefined;
    this.ui = { ...DEFAULT_STATE, ...(saved ?? {}) };
  }

  save(): void {
    this.storage.setState(this.ui);
  }

  /**
   * Shows a new profile. The state is kept when it is the same profile as before (a reloaded
   * panel); a new one starts afresh, a comparison on the differential view. Not saved.
   */
  open(model: Model): void {
    const { profile, compare } = model;
    this.model = model;
    const key = profileKey(profile, compare);
    if (this.ui.profileKey !== key) {
      this.ui = { ...DEFAULT_STATE, view: compare ? 'diff' : 'flame', profileKey: key };
    }
    if (this.ui.view === 'timeOrder' && !profile.samples) this.ui.view = 'flame';
    if (this.ui.view === 'diff' && !compare) this.ui.view = 'flame';
  }

  /** Clears the zoom path and the selection (the tree shown changed). */
  resetZoom(): void {
    this.ui.zoom = [];
    this.ui.selected = null;
  }
}

/** What tells one profile from another, to keep the state of the same one across reloads. */
export function profileKey(p: Profile, compare?: CompareData): string {
  return [
    p.meta.profiler,
    p.meta.sourceFile ?? '',
    p.meta.startEpochMs ?? '',
    p.tree.size,
    p.frames.length,
    p.tree.total[0] ?? 0,
    compare ? `${compare.beforeLabel}|${compare.beforeTotal}|${compare.normalisation}` : '',
  ].join('|');
}

/** The views drawn on the main chart (zoom, crumbs, keyboard). */
export function onMainChart(view: FlameView): boolean {
  return view === 'flame' || view === 'diff' || view === 'timeOrder';
}
