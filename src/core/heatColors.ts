/**
 * The five heat colors, amber to red, for the places that cannot take them from the theme: the
 * gutter's SVG icons and the ruler's defaults (src/shared/palette.ts re-exports them), the call
 * graph's nodes and edges (the webview's drawing and the DOT and SVG exports). Each has a
 * dark-theme and a light-theme variant; every color has at least a 3:1 contrast with the editor
 * background of VS Code's default themes of its kind (test/accessibility.test.ts computes the
 * ratios). Kept in the core, below src/formats, so that the DOT export can color by the same heat.
 */

/** Heat levels 1 to 5 (index 0 is level 1, the coolest): amber to red, per kind of theme. */
export const HEAT_COLORS: Readonly<Record<'dark' | 'light', readonly string[]>> = {
  dark: ['#f5c26b', '#f29e4c', '#ee7b3a', '#e4572e', '#e0323a'],
  // Darker on a white background, hotter still reads darker and redder.
  light: ['#a86b00', '#b85c00', '#c2410c', '#b42318', '#8b1a1a'],
};
