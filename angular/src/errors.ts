/**
 * The rejection of `invoke()` from {@link injectHubInvoke} during server rendering, where a hub never connects
 * (constructors and `ngOnInit` run there too). Filter it by name, or call `invoke` only in the browser
 * (`afterNextRender`, event handlers).
 *
 * @example
 * ```ts
 * this.load.invoke(id).catch((error: Error) => {
 *   if (!(error instanceof ServerRenderError)) throw error;
 * });
 * ```
 */
export class ServerRenderError extends Error {
  override readonly name = 'ServerRenderError' as const;

  constructor(message = 'Hub calls do not run on the server: the hub does not connect there.') {
    super(message);
  }
}
