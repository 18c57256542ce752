import { useEffect } from 'react';
import type { ClientMethod, ClientResult, MethodArgs, SharedHub, UntypedHub } from '@hubrx/core';
import { useLatest } from './latest.js';

/**
 * Runs `handler` for every call of the server-to-client method `target` while mounted (retaining the hub). The
 * latest `handler` rendered runs: an inline function does not subscribe again on each render.
 *
 * @example
 * ```tsx
 * const [messages, setMessages] = useState<string[]>([]);
 * useHubEvent(chatHub, 'Message', (user, text) => setMessages((list) => [...list, `${user}: ${text}`]));
 * ```
 */
export function useHubEvent<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(hub: SharedHub<Server, Client>, target: K, handler: (...args: MethodArgs<Client, K>) => void): void {
  const latest = useLatest(handler);
  useEffect(() => hub.listen(target, (...args) => latest.current(...args)), [hub, target, latest]);
}

/**
 * Answers the server's client-result calls of `target` (`Clients.Client(id).InvokeAsync<T>(...)`) with the latest
 * `fn` rendered: its value, Promise or Observable. While unmounted the server gets "Client didn't provide a
 * result.". One handler per method and hub: a second one mounted at the same time is an error.
 *
 * @example
 * ```tsx
 * useHubHandler(chatHub, 'Confirm', (question) => window.confirm(question));
 * ```
 */
export function useHubHandler<
  Server extends object = UntypedHub,
  Client extends object = UntypedHub,
  K extends ClientMethod<Client> = ClientMethod<Client>,
>(
  hub: SharedHub<Server, Client>,
  target: K,
  fn: (...args: MethodArgs<Client, K>) => ClientResult<Client, K>,
): void {
  const latest = useLatest(fn);
  useEffect(() => hub.answer(target, (...args) => latest.current(...args)), [hub, target, latest]);
}
