/**
 * The flame graph panel's client, wired together here. It receives the profile once
 * (messages.ts), keeps the UI state in a store (store.ts), derives the views (model.ts, layout/),
 * and shows them in the panel (panel.ts: toolbar.ts, chart.ts, tableView.ts, tooltip.ts...);
 * keyboard.ts handles the keys. It talks to the host only through the typed messages of
 * src/shared/protocol.ts.
 */
import './flame.css';
import { installDebugHook } from './debugHook';
import { attachKeyboard } from './keyboard';
import { connectHost, listenToHost } from './messages';
import { Panel } from './panel';
import { Store } from './store';

const host = connectHost();
const store = new Store(host);
const panel = new Panel(store, (message) => host.postMessage(message));
attachKeyboard(panel);
listenToHost(host, {
  profile: (profile, compare, focus) => panel.showProfile(profile, compare, focus),
  badProfile: (message) => panel.showBadProfile(message),
  focus: (focus) => panel.applyFocus(focus),
  theme: () => panel.refreshTheme(),
  empty: (message) => panel.showEmpty(message),
});
const debug = installDebugHook(panel.mainChart);
panel.mainChart.onDrawn = () => {
  panel.markFirstPaint(false);
  debug.onPaint?.();
};
for (const c of [panel.callersChart, panel.calleesChart])
  c.onDrawn = () => panel.markFirstPaint(true);

panel.render();
host.postMessage({ type: 'ready' });
