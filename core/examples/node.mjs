// A hubrx client in Node 20+: `node node.mjs [hub URL]`. Node 20 has no global WebSocket or EventSource, so
// the `ws` package (through the `nodeWebSocket` adapter) and `eventsource` (v4) are passed in. Try it against the
// mock server: `npm start` in the repository, then `node core/examples/node.mjs http://127.0.0.1:5000/testhub`.
import { createHubConnection, exponentialBackoff } from '@hubrx/core';
import { nodeWebSocket } from '@hubrx/core/node';
import { EventSource } from 'eventsource';
import { firstValueFrom, take, toArray } from 'rxjs';
import { WebSocket } from 'ws';

const url = process.argv[2] ?? 'http://127.0.0.1:5000/testhub';

const connection = createHubConnection({
  url,
  WebSocket: nodeWebSocket(WebSocket),
  EventSource,
  reconnect: exponentialBackoff({ maxElapsedMs: 60_000 }),
});

connection.state$.subscribe((state) =>
  console.log(`state: ${state.status}${state.transport ? ` (${state.transport})` : ''}`),
);
connection.on('Message').subscribe(([text]) => console.log(`server says: ${text}`));

await connection.start();
console.log(`Add(1, 2) = ${await connection.invoke('Add', 1, 2)}`);
await connection.invoke('InvokeWithString', 'hello from Node');
const items = await firstValueFrom(connection.stream('Counter', 5, 10).pipe(take(3), toArray()));
console.log(`first three counter items: ${items.join(', ')}`);
await connection.stop();
