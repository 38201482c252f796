import * as vscode from 'vscode';
import type { HeatScale } from '../core/heatLevels';

/**
 * Every Heatlens setting, with its type, read through one helper (see package.json
 * `contributes.configuration` for defaults and descriptions).
 */
export interface Settings {
  'node.path': string;
  'node.samplingInterval': number;
  'node.memory.record': 'allocated' | 'live';
  'node.memory.samplingInterval': number;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  'codeLens.enabled': boolean;
  'codeLens.threshold': number;
  'heat.enabled': boolean;
  'heat.labelCount': number;
  'heat.minShare': number;
  'heat.scale': HeatScale;
  'python.path': string;
  'python.mode': PythonMode;
  'python.clock': 'cpu' | 'wall';
  'python.samplingInterval': number;
  'history.runsPerFile': number;
  'compare.showNoise': boolean;
}

/** How a Python file is profiled. */
export type PythonMode = 'sampling' | 'cprofile' | 'yappi';

const defaults: Settings = {
  'node.path': '',
  'node.samplingInterval': 1000,
  'node.memory.record': 'allocated',
  'node.memory.samplingInterval': 32768,
  args: [],
  cwd: '',
  env: {},
  'codeLens.enabled': true,
  'codeLens.threshold': 1,
  'heat.enabled': true,
  'heat.labelCount': 5,
  'heat.minShare': 0.2,
  'heat.scale': 'run',
  'python.path': '',
  'python.mode': 'sampling',
  'python.clock': 'cpu',
  'python.samplingInterval': 1000,
  'history.runsPerFile': 10,
  'compare.showNoise': false,
};

/** Reads one setting, scoped to a resource when given. */
export function setting<K extends keyof Settings>(key: K, scope?: vscode.Uri): Settings[K] {
  return (
    vscode.workspace.getConfiguration('heatlens', scope).get<Settings[K]>(key) ?? defaults[key]
  );
}

/** True when a configuration change touches any of the given Heatlens settings. */
export function affects(e: vscode.ConfigurationChangeEvent, ...keys: (keyof Settings)[]): boolean {
  return keys.some((k) => e.affectsConfiguration(`heatlens.${k}`));
}
