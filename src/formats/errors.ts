/**
 * A profile file that cannot be read as the format it claims to be. The message is a sentence
 * for a person: it names the file, says what is wrong, and what to do next.
 */
export class ProfileFormatError extends Error {
  /** The file the profile came from, when known. */
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'ProfileFormatError';
    this.file = file;
  }
}
