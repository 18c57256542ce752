// The page the Chromium suites load through the balancer (`/scale/index.html`, served by every instance from the
// same folder, and by the Azure flow's app): the browser build of @hubrx/core (JSON and MessagePack), the chat app's
// own rejoin logic (`onConnectionLost` of examples/chat/shared/chat.ts) and `describeError` (in-page.ts), as
// `window.hubrx`.

import type * as Core from '@hubrx/core';
import type * as MessagePack from '@hubrx/core/msgpack';

import type { onConnectionLost } from '../../../examples/chat/shared/chat.js';
import type { describeError } from './in-page.js';

/** What the page exposes as `window.hubrx`. */
export type ScalePage = typeof Core &
  typeof MessagePack & {
    readonly onConnectionLost: typeof onConnectionLost;
    readonly describeError: typeof describeError;
  };

/** The bundle's entry (resolved from the repository root). */
export const PAGE_ENTRY = `export * from '@hubrx/core';
export * from '@hubrx/core/msgpack';
export { onConnectionLost } from './examples/chat/shared/chat.ts';
export { describeError } from './test/scale/support/in-page.ts';
`;

export const PAGE_HTML = `<!doctype html>
<html>
  <head><meta charset="utf-8" /><title>hubrx scale-out</title></head>
  <body>
    <script type="module">
      import * as hubrx from './hubrx.js';
      window.hubrx = hubrx;
    </script>
  </body>
</html>
`;
