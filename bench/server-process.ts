/**
 * The mock server of the benchmarks (bench/load-server.ts: the `test` preset, message log off), in a process of
 * its own, so that its work neither shares the measured client's event loop nor counts in its memory.
 */
import { spawn } from 'node:child_process';

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startMockServerProcess(): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@hubrx/source', 'bench/load-server.ts'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Now listening on: (\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The mock server exited (${String(code)}).`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // load-server.ts closes the server and exits when its stdin ends.
        child.stdin.end();
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
