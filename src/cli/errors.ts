/** The CLI's own errors: a mistake in the command line, or a sentence that ends the command. */

/** A mistake in the command line: exit code 2. */
export class UsageError extends Error {}

/** Anything else that stops the command, with the sentence to show: exit code 1. */
export class CliError extends Error {}
