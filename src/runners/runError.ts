/**
 * The error both runners throw when a program cannot be run at all, apart from the runners so
 * that the CLI, the extension and either runner can name it without importing the other runner.
 */

/** The program could not be run at all: a missing file, no Node.js, a broken installation. */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
