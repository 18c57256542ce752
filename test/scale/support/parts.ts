// What the scale-out suites need besides Node: dotnet (the chat server), Debian's redis-server and haproxy. Without
// one of them the suites are skipped with one printed line; with HUBRX_REQUIRE_SCALE=1 (CI) the run fails instead.

import { haproxyPath } from '../../support/balancer.js';
import { dotnetAvailable } from '../../support/dotnet-server.js';
import { redisServerPath } from '../../support/redis.js';

/** `HUBRX_REQUIRE_SCALE=1`: a missing part fails the run instead of skipping the scale-out suites. */
export const requireScale = process.env.HUBRX_REQUIRE_SCALE === '1';

/** The parts that are missing here, with how to install each. */
export function missingParts(): string[] {
  const missing: string[] = [];
  if (!dotnetAvailable()) missing.push('dotnet (the .NET 10 SDK)');
  if (redisServerPath() === undefined) missing.push('redis-server (apt-get install redis-server)');
  if (haproxyPath() === undefined) missing.push('haproxy (apt-get install haproxy)');
  return missing;
}
