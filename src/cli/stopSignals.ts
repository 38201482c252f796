/**
 * How `heatlens profile` reacts to signals while the program runs. Ctrl+C (SIGINT) and SIGTERM
 * stop the program and keep what was recorded; a second one quits at once. SIGHUP (the terminal
 * was closed) stops it too: the program runs in a session of its own, so the hangup does not
 * reach it, and left alone it would run on with its inspector listening. Whatever way heatlens
 * exits, the runners kill what is left of the program's tree (runners/orphans.ts).
 */

/** What a signal can do to the run. */
export interface StoppableRun {
  /** Stops the program, keeping its profile. */
  cancel(): void;
  /** Stops reporting the program's output and ends it. */
  dispose(): void;
}

/** The handlers in place while a run goes on. */
export interface StopSignals {
  /** True once SIGHUP came: the exit code is then 129, and nobody reads the terminal. */
  readonly hungUp: boolean;
  /** Removes the handlers. */
  dispose(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Installs the handlers; `say` prints a message for the person. */
export function stopOnSignals(run: StoppableRun, say: (text: string) => void): StopSignals {
  let stops = 0;
  let hungUp = false;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (signal === 'SIGHUP') hungUp = true;
      stops++;
      if (stops === 1) {
        if (!hungUp) {
          say(
            '\nheatlens: stopping the program; keeping what was recorded (Ctrl+C again to quit at once).\n',
          );
        }
        run.cancel();
        return;
      }
      // Quit now: exiting kills the program's whole tree (see runners/orphans.ts).
      run.dispose();
      process.exit(hungUp ? 129 : 130);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    get hungUp() {
      return hungUp;
    },
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
