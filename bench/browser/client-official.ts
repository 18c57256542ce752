/**
 * The official client in the benchmark page, as an app ships it: @microsoft/signalr and
 * @microsoft/signalr-protocol-msgpack bundled from their ESM dist, minified (bench/browser/bundles.ts).
 */
import { HttpTransportType, HubConnectionBuilder, JsonHubProtocol, LogLevel } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { installBench } from './page-driver.js';

installBench(async (url, protocol, onTick) => {
  const connection = new HubConnectionBuilder()
    .withUrl(url, { transport: HttpTransportType.WebSockets })
    .withHubProtocol(protocol === 'json' ? new JsonHubProtocol() : new MessagePackHubProtocol())
    .configureLogging(LogLevel.None)
    .build();
  connection.on('Tick', onTick);
  await connection.start();
  return {
    events: (count, perFrame) => connection.send('Events', count, perFrame),
    stream: (count, observer) => void connection.stream('Counter', count).subscribe(observer),
    add: (a, b) => connection.invoke('Add', a, b),
    stop: () => connection.stop(),
  };
});
