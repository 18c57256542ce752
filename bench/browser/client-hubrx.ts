/**
 * hubrx in the benchmark page, as an app ships it: core and core/msgpack bundled from their sources (so the
 * figures follow core's working tree) with rxjs and @msgpack/msgpack inside, minified (bench/browser/bundles.ts).
 */
import { createHubConnection, jsonHubProtocol, noReconnect } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { installBench } from './page-driver.js';

installBench(async (url, protocol, onTick) => {
  const connection = createHubConnection({
    url,
    transports: ['webSockets'],
    protocol: protocol === 'json' ? jsonHubProtocol() : messagePackHubProtocol(),
    reconnect: noReconnect(),
  });
  connection.on('Tick').subscribe(onTick);
  await connection.start();
  return {
    events: (count, perFrame) => connection.send('Events', count, perFrame),
    stream: (count, observer) => void connection.stream('Counter', count).subscribe(observer),
    add: (a, b) => connection.invoke('Add', a, b),
    stop: () => connection.stop(),
  };
});
