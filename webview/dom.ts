/** Building the panel's DOM: one element helper and the vscode-elements the toolbar uses. */

/** An element with attributes and text (set through textContent: names are data, never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string>, text?: string): HTMLElement;
export function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A `vscode-checkbox`. */
export interface Checkbox extends HTMLElement {
  checked: boolean;
}

/** A `vscode-textfield`. */
export interface TextField extends HTMLElement {
  value: string;
  invalid: boolean;
  /** The inner input's `aria-label`. */
  label: string;
}

/** A `vscode-button`. */
export interface Button extends HTMLElement {
  disabled: boolean;
  secondary: boolean;
}
