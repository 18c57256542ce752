import { MockServerError } from '../errors.js';
import type {
  HubAuthorization,
  HubDefinition,
  HubMethod,
  MethodAuthorization,
  ParameterType,
  TransportName,
} from './types.js';

const ALL_TRANSPORTS: readonly TransportName[] = ['WebSockets', 'ServerSentEvents', 'LongPolling'];

/**
 * Declares a hub. The identity function, but it checks the definition at once and types the methods' context.
 *
 * @example
 * ```ts
 * import { defineHub, HubException } from '@hubrx/mock-server';
 *
 * export const chat = defineHub({
 *   methods: {
 *     Send(ctx, user: string, text: string) {
 *       ctx.clients.all.send('ReceiveMessage', user, text);
 *     },
 *     async *Countdown(ctx, from: number) {
 *       for (let i = from; i >= 0 && !ctx.signal.aborted; i--) yield i;
 *     },
 *     async Ask(ctx, question: string) {
 *       return ctx.clients.caller.invoke<string>('Answer', question); // a client result
 *     },
 *   },
 *   onConnected: (ctx) => ctx.groups.add(ctx.connectionId, 'lobby'),
 * });
 * ```
 */
export function defineHub<const T extends HubDefinition>(definition: T): T {
  compileHub(definition);
  return definition;
}

/** A method ready for dispatch. */
export interface CompiledMethod {
  /** The name as declared (the client's spelling may differ in case). */
  readonly name: string;
  readonly handler: HubMethod;
  /** `true`/`false` when known before calling it; `undefined`: decided by what it returns. */
  readonly streaming: boolean | undefined;
  readonly streamParameters: readonly number[] | undefined;
  readonly parameters: readonly ParameterType[] | undefined;
  readonly authorize: MethodAuthorization | undefined;
}

export interface CompiledHub {
  readonly definition: HubDefinition;
  /** Keyed by lower-cased name: hub method names match case-insensitively, as in ASP.NET Core. */
  readonly methods: ReadonlyMap<string, CompiledMethod>;
  readonly transports: readonly TransportName[];
  readonly authorize: HubAuthorization | undefined;
  readonly allowStatefulReconnects: boolean;
}

function isAsyncGeneratorFunction(fn: unknown): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncGeneratorFunction]';
}

export function compileHub(definition: HubDefinition): CompiledHub {
  if (typeof definition !== 'object' || definition === null) {
    throw new MockServerError('A hub definition must be an object with `methods`.');
  }
  const { methods } = definition;
  if (typeof methods !== 'object' || methods === null)
    throw new MockServerError('A hub needs a `methods` object.');
  const table = new Map<string, CompiledMethod>();
  for (const [name, entry] of Object.entries(methods)) {
    const descriptor = typeof entry === 'function' ? { handler: entry } : entry;
    if (typeof descriptor !== 'object' || descriptor === null || typeof descriptor.handler !== 'function') {
      throw new MockServerError(`Hub method '${name}' must be a function or { handler: function }.`);
    }
    const key = name.toLowerCase();
    if (table.has(key)) {
      throw new MockServerError(`Hub methods '${table.get(key)!.name}' and '${name}' differ only in case.`);
    }
    const streaming = 'stream' in descriptor ? descriptor.stream : undefined;
    table.set(key, {
      name,
      handler: descriptor.handler,
      streaming: streaming ?? (isAsyncGeneratorFunction(descriptor.handler) ? true : undefined),
      streamParameters: 'streamParameters' in descriptor ? descriptor.streamParameters : undefined,
      parameters: 'parameters' in descriptor ? descriptor.parameters : undefined,
      authorize: 'authorize' in descriptor ? descriptor.authorize : undefined,
    });
  }
  const transports = definition.transports ?? ALL_TRANSPORTS;
  for (const transport of transports) {
    if (!ALL_TRANSPORTS.includes(transport)) {
      throw new MockServerError(
        `Unknown transport '${String(transport)}': use ${ALL_TRANSPORTS.join(', ')}.`,
      );
    }
  }
  return {
    definition,
    methods: table,
    transports,
    authorize: definition.authorize,
    allowStatefulReconnects: definition.allowStatefulReconnects ?? false,
  };
}
