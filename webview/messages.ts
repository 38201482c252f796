/**
 * The panel's only link to the extension host: the typed messages of src/shared/protocol.ts, each
 * way. A profile arrives once in its wire form (src/shared/wire.ts) and is decoded here.
 */
import type { Profile } from '../src/core/profile';
import type { FlameFocus, HostToWebview, WebviewToHost } from '../src/shared/protocol';
import { decodeProfile } from '../src/shared/wire';
import { decodeCompare, type CompareData } from '../src/shared/wireCompare';
import type { StateStorage } from './store';

/** The webview API VS Code gives the page. */
export interface Host extends StateStorage {
  postMessage(message: WebviewToHost): void;
}
declare function acquireVsCodeApi(): Host;

/** What the panel does with each message from the host. */
export interface HostHandlers {
  profile(profile: Profile, compare: CompareData | undefined, focus: FlameFocus | undefined): void;
  /** A profile arrived but could not be decoded. */
  badProfile(message: string): void;
  focus(focus: FlameFocus): void;
  theme(): void;
  empty(message: string): void;
}

/** The host's API (once per page), with the page's uncaught errors reported to it. */
export function connectHost(): Host {
  const host = acquireVsCodeApi();
  window.addEventListener('error', (e) =>
    host.postMessage({ type: 'error', message: String(e.message) }),
  );
  window.addEventListener('unhandledrejection', (e) =>
    host.postMessage({
      type: 'error',
      message: String((e.reason as Error)?.message ?? e.reason),
    }),
  );
  return host;
}

/** Hands every message from the host to `handlers`. */
export function listenToHost(host: Host, handlers: HostHandlers): void {
  window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
    const msg = event.data;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'profile': {
        performance.mark('heatlens:profile-received');
        let profile: Profile;
        let compare: CompareData | undefined;
        try {
          profile = decodeProfile(msg.profile);
          compare = msg.compare ? decodeCompare(msg.compare, profile) : undefined;
        } catch (e) {
          handlers.badProfile((e as Error).message);
          host.postMessage({ type: 'error', message: (e as Error).message });
          return;
        }
        handlers.profile(profile, compare, msg.focus);
        break;
      }
      case 'focus':
        handlers.focus(msg);
        break;
      case 'theme':
        handlers.theme();
        break;
      case 'empty':
        handlers.empty(msg.message);
        break;
    }
  });
}
