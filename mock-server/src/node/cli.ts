#!/usr/bin/env node
/**
 * `hubrx-mock-server [--port 5000] [--host 127.0.0.1] [--preset test|chat] [--hubs ./my-hubs.js] [--detailed-errors]
 * [--static [/prefix/=]dir] [--token-lifetime s] [--receipt-timeout-ms ms]`
 *
 * Serves a preset and/or your hubs until interrupted, printing `Now listening on: http://host:port` when ready, as
 * an ASP.NET Core server does, so it can stand in for one in test setups that wait for that line.
 *
 * `--hubs` takes a module whose default export (or named export `hubs`) is either `{ '/path': hubDefinition }` or
 * full server options (`{ hubs, routes, ... }`). `--static` serves a folder's files (at `/`, or under a URL prefix:
 * `--static /react/=dist/react`; repeatable). The chat preset's token lifetime and read-receipt timeout come from
 * `--token-lifetime` / `HUBRX_CHAT_TOKEN_LIFETIME` and `--receipt-timeout-ms` / `HUBRX_CHAT_RECEIPT_TIMEOUT_MS`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MockServerError } from '../errors.js';
import type { HubDefinition } from '../hub/types.js';
import { presets, type PresetSettings } from '../presets/index.js';
import type { MockHubOptions } from '../server/engine.js';
import { createMockHubServer } from './node-server.js';

const usage = `Usage: hubrx-mock-server [--port <n>] [--host <h>] [--preset <${Object.keys(presets).join('|')}>] [--hubs <module>] [--detailed-errors] [--static [/prefix/=]<dir>] [--token-lifetime <seconds>] [--receipt-timeout-ms <ms>]`;

/** A whole number > 0 from a flag or an environment variable, or undefined when neither is set. */
function positiveNumber(name: string, ...values: (string | undefined)[]): number | undefined {
  const value = values.find((v) => v !== undefined && v !== '');
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new MockServerError(`Invalid ${name} '${value}': expected a whole number greater than 0.`);
  return number;
}

/** `--static dir` (at `/`) or `--static /prefix/=dir`. */
function staticMounts(values: readonly string[]): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const [prefix, dir] =
      value.startsWith('/') && eq > 0 ? [value.slice(0, eq), value.slice(eq + 1)] : ['/', value];
    if (dir === '') throw new MockServerError(`Invalid --static '${value}': expected [/prefix/=]<dir>.`);
    mounts[prefix] = resolve(dir);
  }
  return mounts;
}

function isOptions(value: unknown): value is MockHubOptions {
  return (
    typeof value === 'object' &&
    value !== null &&
    ('hubs' in value || 'routes' in value || 'connections' in value)
  );
}

async function loadHubs(path: string): Promise<MockHubOptions> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown; hubs?: unknown };
  const exported = module.default ?? module.hubs;
  if (typeof exported !== 'object' || exported === null) {
    throw new MockServerError(
      `${path} must export (default or 'hubs') hub definitions by path, or server options.`,
    );
  }
  return isOptions(exported) ? exported : { hubs: exported as Record<string, HubDefinition> };
}

function merge(a: MockHubOptions, b: MockHubOptions): MockHubOptions {
  return {
    ...a,
    ...b,
    hubs: { ...a.hubs, ...b.hubs },
    connections: { ...a.connections, ...b.connections },
    routes: [...(a.routes ?? []), ...(b.routes ?? [])],
    middleware: [...(a.middleware ?? []), ...(b.middleware ?? [])],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
      preset: { type: 'string', multiple: true },
      hubs: { type: 'string', multiple: true },
      'detailed-errors': { type: 'boolean' },
      static: { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' },
      'receipt-timeout-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new MockServerError(`Invalid --port '${values.port}'.`);
  const tokenLifetimeSeconds = positiveNumber(
    '--token-lifetime',
    values['token-lifetime'],
    process.env.HUBRX_CHAT_TOKEN_LIFETIME,
  );
  const receiptTimeoutMs = positiveNumber(
    '--receipt-timeout-ms',
    values['receipt-timeout-ms'],
    process.env.HUBRX_CHAT_RECEIPT_TIMEOUT_MS,
  );
  const settings: PresetSettings = {
    ...(tokenLifetimeSeconds !== undefined && { tokenLifetimeSeconds }),
    ...(receiptTimeoutMs !== undefined && { receiptTimeoutMs }),
  };
  const names = values.preset ?? (values.hubs === undefined ? ['test'] : []);
  let options: MockHubOptions = {};
  for (const name of names) {
    const preset = presets[name];
    if (preset === undefined)
      throw new MockServerError(`Unknown preset '${name}'. Presets: ${Object.keys(presets).join(', ')}.`);
    options = merge(options, preset(settings));
  }
  for (const path of values.hubs ?? []) options = merge(options, await loadHubs(path));
  if (values['detailed-errors'] === true) options = { ...options, detailedErrors: true };
  const server = await createMockHubServer({
    ...options,
    host: values.host,
    port,
    ...(values.static !== undefined && { static: staticMounts(values.static) }),
  });
  console.log(`Now listening on: ${server.url}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(usage);
  process.exit(1);
});
