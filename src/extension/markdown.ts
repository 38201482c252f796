import * as vscode from 'vscode';
import type { SafeMarkdown } from '../shared/markdownText';

export { code, codeBlock, safeMarkdown } from '../shared/markdownText';

/**
 * The only way Heatlens makes a MarkdownString (lint forbids `new MarkdownString` and
 * `appendMarkdown` elsewhere): it takes only markdown whose values were escaped (see
 * shared/markdownText.ts), and keeps commands, HTML and theme icons off, so that nothing a
 * profile says can become a link that runs a command, an element, or an icon.
 */
export class MarkdownBuilder {
  private readonly parts: string[] = [];

  /** Appends markdown made by `safeMarkdown`, `code` or `codeBlock`. */
  add(part: SafeMarkdown): this {
    this.parts.push(part.text);
    return this;
  }

  /** The MarkdownString, untrusted, without HTML or theme icons. */
  build(): vscode.MarkdownString {
    const md = new vscode.MarkdownString(this.parts.join(''), false);
    md.isTrusted = false;
    md.supportHtml = false;
    return md;
  }
}
