/**
 * The panel's live region: a visually hidden `role="status"` element (`aria-live="polite"`,
 * atomic) whose text a screen reader reads out when it changes, after what it is saying. The
 * charts are canvases, so this is how the box the keyboard selects is heard (announce.ts words
 * it). Text only: set with textContent, names are data.
 */
import { el } from './dom';

/** The live region. */
export class LiveRegion {
  readonly root = el('div', {
    id: 'announcer',
    class: 'visually-hidden',
    role: 'status',
    'aria-live': 'polite',
    'aria-atomic': 'true',
  });
  private flip = false;

  /** Says `text`. The same text twice in a row is said twice (a no-break space tells them apart). */
  say(text: string): void {
    const current = this.root.textContent ?? '';
    if (current.replace(/\u00a0$/, '') === text) {
      this.flip = !this.flip;
      this.root.textContent = this.flip ? `${text}\u00a0` : text;
      return;
    }
    this.flip = false;
    this.root.textContent = text;
  }

  /** What the region says now (the tests read it). */
  get text(): string {
    return (this.root.textContent ?? '').replace(/\u00a0$/, '');
  }
}
