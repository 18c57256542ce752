/**
 * The mock server for the load benchmark, in its own process so that its memory is measured alone: the `test`
 * preset with the message log off (a test would keep it on; a load run would only measure the log).
 */
import { createMockHubServer, testPreset } from '@hubrx/mock-server';

const server = await createMockHubServer({ ...testPreset(), logLimit: 0, port: 0 });
console.log(`Now listening on: ${server.url}`);
process.stdin.resume();
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
