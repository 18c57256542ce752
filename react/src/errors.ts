/**
 * Thrown by {@link useSuspenseHub} while rendering on the server, where a hub never connects: inside a
 * `<Suspense>` boundary React then sends the boundary's fallback and renders it on the client instead (React's way
 * to keep client-only content out of server rendering). Expected in the server's `onError`; filter it by name.
 *
 * @example
 * ```ts
 * renderToReadableStream(<App />, {
 *   onError(error) {
 *     if (!(error instanceof ServerRenderError)) console.error(error);
 *   },
 * });
 * ```
 */
export class ServerRenderError extends Error {
  override readonly name = 'ServerRenderError' as const;

  constructor(
    message = 'useSuspenseHub() renders on the client only: the hub does not connect on the server.',
  ) {
    super(message);
  }
}
