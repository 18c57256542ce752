// The scale-out setup on this machine, started by the tests and the bench themselves: Redis (test/support/redis.ts),
// instances of the ASP.NET Core chat server with the Redis backplane (examples/chat/dotnet, built once), and HAProxy
// in front of them (test/support/balancer.ts). Instances run on fixed ports, so that one killed can be started again
// where the balancer expects it.

import { chatServerApp } from '../../../examples/chat/test/support/servers.js';
import { startBalancer, type Balancer, type BalancerOptions } from '../../support/balancer.js';
import { startDotnetApp, type DotnetServer } from '../../support/dotnet-server.js';
import { freePort } from '../../support/child-process.js';
import { startRedis, type RedisServer } from '../../support/redis.js';

export interface ClusterOptions {
  /** The instances' names (also their sticky cookie values). */
  readonly names: readonly string[];
  /** How long after its heartbeat stops an instance's connections are forgotten (`--instance-timeout-ms`). */
  readonly instanceTimeoutMs?: number;
  /** Extra flags for every instance (`--static`, `--rooms`...). */
  readonly extraArgs?: readonly string[];
  /** Record what each instance served (`--diagnostics`). Default true. */
  readonly diagnostics?: boolean;
  /** The balancer's health checks (see BalancerOptions). */
  readonly health?: BalancerOptions['health'];
}

export interface ClusterInstance {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:port`, straight to the instance. */
  readonly url: string;
  /** The running process, or undefined while killed. */
  server: DotnetServer | undefined;
}

export interface Cluster {
  readonly redis: RedisServer;
  readonly balancer: Balancer;
  readonly instances: readonly ClusterInstance[];
  instance(name: string): ClusterInstance;
  /** Kills an instance with SIGKILL (no goodbye to its clients or to Redis) and waits for the balancer to see it down. */
  kill(name: string): Promise<void>;
  /** Starts a killed or stopped instance again on its port and waits for the balancer to see it up. */
  start(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const redis = await startRedis();
  const instances: ClusterInstance[] = [];
  for (const name of options.names) {
    const port = await freePort();
    instances.push({ name, port, url: `http://127.0.0.1:${port}`, server: undefined });
  }
  const launch = async (instance: ClusterInstance) => {
    instance.server = await startDotnetApp(chatServerApp, {
      extraArgs: [
        '--port',
        String(instance.port),
        '--redis',
        redis.address,
        '--instance',
        instance.name,
        '--instance-timeout-ms',
        String(options.instanceTimeoutMs ?? 3000),
        '--stateful-reconnect',
        ...(options.diagnostics === false ? [] : ['--diagnostics']),
        ...(options.extraArgs ?? []),
      ],
    });
    if (instance.server.url !== instance.url) {
      await instance.server.stop();
      throw new Error(`The ${instance.name} instance listens on ${instance.server.url}, not ${instance.url}`);
    }
  };
  let balancer: Balancer | undefined;
  const stop = async () => {
    await balancer?.stop();
    await Promise.all(instances.map((instance) => instance.server?.stop() ?? Promise.resolve()));
    await redis.stop();
  };
  try {
    await Promise.all(instances.map(launch));
    balancer = await startBalancer({
      instances: instances.map(({ name, port }) => ({ name, address: `127.0.0.1:${port}` })),
      ...(options.health !== undefined && { health: options.health }),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const started = balancer;
  const instance = (name: string) => {
    const found = instances.find((each) => each.name === name);
    if (found === undefined) throw new Error(`No instance '${name}' (${options.names.join(', ')})`);
    return found;
  };
  return {
    redis,
    balancer: started,
    instances,
    instance,
    async kill(name) {
      const target = instance(name);
      const server = target.server;
      if (server === undefined) return;
      target.server = undefined;
      if (server.pid !== undefined) process.kill(server.pid, 'SIGKILL');
      await server.stop();
      await started.waitFor(name, false);
    },
    async start(name) {
      const target = instance(name);
      if (target.server !== undefined) return;
      await launch(target);
      await started.waitFor(name, true);
    },
    stop,
  };
}
