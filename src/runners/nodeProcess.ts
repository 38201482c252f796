/**
 * The profiled Node process: started in a process group of its own, its output decoded and
 * Node's inspector lines ("Debugger listening on ws://…", "Waiting for the debugger to
 * disconnect…") taken out of its stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

import { InspectorOutputFilter, type InspectorLine } from './inspectorOutput';
import { spawnError, type NodeCommand } from './nodeCommand';

/**
 * Starts `command` in its own process group (so that cancel reaches the children it starts);
 * rejects with a RunError when it cannot start. `configured`: the Node.js path came from the
 * settings (the error names them).
 */
export async function spawnNode(
  command: NodeCommand,
  stdin: 'inherit' | 'ignore' | undefined,
  configured: boolean,
): Promise<ChildProcess> {
  const child = spawn(command.nodePath, command.args, {
    cwd: command.cwd,
    env: command.env,
    stdio: [stdin ?? 'ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  await new Promise<void>((resolveSpawn, rejectSpawn) => {
    child.once('spawn', resolveSpawn);
    child.once('error', (error) => rejectSpawn(spawnError(command.nodePath, configured, error)));
  });
  // Errors after the start (a failed kill) have nothing to add to the exit status.
  child.on('error', () => undefined);
  return child;
}

/** The child's output pipes. */
export interface NodePipes {
  /** Flushes what the decoders and the filter still hold (the process has closed). */
  flush(): void;
}

/** Decodes the child's output into `onText`; Node's inspector lines go to `onLine` instead. */
export function pipeNodeOutput(
  child: ChildProcess,
  onText: (stream: 'stdout' | 'stderr', text: string) => void,
  onLine: (line: InspectorLine) => void,
): NodePipes {
  const outDecoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');
  const filter = new InspectorOutputFilter((text) => onText('stderr', text), onLine);
  child.stdout!.on('data', (chunk: Buffer) => onText('stdout', outDecoder.write(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => filter.push(errDecoder.write(chunk)));
  return {
    flush: () => {
      filter.end();
      onText('stdout', outDecoder.end());
    },
  };
}
