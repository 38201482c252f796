/**
 * The colors Heatlens cannot take from the theme: gutter icons are SVG images, which cannot use
 * theme colors, so each has a dark-theme and a light-theme variant (VS Code shows the `dark` one
 * in dark and high-contrast dark themes, the `light` one in light and high-contrast light themes).
 * package.json's overview-ruler defaults are the same colors, so the gutter and the ruler agree.
 *
 * Every color here has at least a 3:1 contrast with the editor background of VS Code's default
 * themes of its kind (WCAG's figure for graphics that carry meaning); the heat bars also widen with
 * the level, and the comparison's triangles point up or down, so neither relies on color alone.
 * test/accessibility.test.ts computes the ratios.
 */

/** The two kinds of theme an icon can differ by. */
export type ThemeKind = 'dark' | 'light';

/**
 * Heat levels 1 to 5 (index 0 is level 1, the coolest): amber to red. Defined in the core
 * (src/core/heatColors.ts), where the call graph's DOT export uses them too.
 */
export { HEAT_COLORS } from '../core/heatColors';

/** A comparison's slower (red, triangle up) and faster (green, triangle down) lines. */
export const COMPARE_COLORS: Readonly<Record<ThemeKind, { slower: string; faster: string }>> = {
  dark: { slower: '#e5484d', faster: '#30a46c' },
  light: { slower: '#c62828', faster: '#1a7f37' },
};
