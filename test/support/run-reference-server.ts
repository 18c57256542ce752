// Starts the reference server by hand (built if needed, exactly as the test harness does) and keeps it running:
//   npx tsx test/support/run-reference-server.ts [extra server arguments, e.g. --Logging:LogLevel:Default=Debug]
// Prints the base URL; Ctrl+C stops it.

import { startReferenceServer } from './dotnet-server.js';

const server = await startReferenceServer({ extraArgs: process.argv.slice(2), echoLogs: true });
console.log(`ASP.NET Core reference server: ${server.url}`);

const stop = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
