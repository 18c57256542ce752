import { DropConnection, type Channel } from './channel.js';

const utf8 = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Formats a frame as ASP.NET Core's `ServerSentEventsMessageFormatter` does: `data: ` lines and a blank line. */
export function formatEvent(frame: string): string {
  if (!frame.includes('\n')) return `data: ${frame}\r\n\r\n`;
  let out = '';
  for (const line of frame.split('\n')) out += `data: ${line.endsWith('\r') ? line.slice(0, -1) : line}\r\n`;
  return out + '\r\n';
}

/**
 * The Server-Sent Events response of a connection: a stream that opens with the `:\r\n` comment ASP.NET Core
 * writes, then one event per frame, and ends when the connection does.
 */
export class SseChannel implements Channel {
  readonly body: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private open = true;

  constructor(private readonly onClientGone: () => void) {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        controller.enqueue(utf8.encode(':\r\n'));
      },
      cancel: () => {
        // The client went away (EventSource closed, network gone).
        this.open = false;
        this.onClientGone();
      },
    });
  }

  write(frame: string | Uint8Array): boolean {
    if (!this.open) return false;
    this.controller.enqueue(
      utf8.encode(formatEvent(typeof frame === 'string' ? frame : decoder.decode(frame))),
    );
    return true;
  }

  end(): void {
    if (!this.open) return;
    this.open = false;
    this.controller.close();
  }

  drop(): void {
    if (!this.open) return;
    this.open = false;
    this.controller.error(new DropConnection());
  }
}
