import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { setting } from './settings';

/** Where the interpreter came from, for the output channel. */
export interface InterpreterChoice {
  readonly candidates: string[];
  readonly source: 'python extension' | 'heatlens.python.path' | 'PATH';
}

/**
 * The interpreter to profile a Python file with: the one selected in the Python extension when it
 * is installed, else the `heatlens.python.path` setting, else `python3` then `python` on the PATH.
 */
export async function pythonCandidates(resource: vscode.Uri): Promise<InterpreterChoice> {
  if (vscode.extensions.getExtension('ms-python.python')) {
    try {
      const api = await PythonExtension.api();
      const active = api.environments.getActiveEnvironmentPath(resource);
      const env = await api.environments.resolveEnvironment(active);
      const exe = env?.executable.uri?.fsPath;
      if (exe) return { candidates: [exe], source: 'python extension' };
    } catch {
      // The Python extension failed to activate or has no environment: fall through.
    }
  }
  const configured = setting('python.path', resource);
  if (configured) return { candidates: [configured], source: 'heatlens.python.path' };
  return {
    candidates: process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'],
    source: 'PATH',
  };
}
