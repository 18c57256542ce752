import { describe, expect, it } from 'vitest';
import {
  parseHandshakeRequest,
  parseHandshakeResponse,
  ProtocolError,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from '@hubrx/core';

const RS = '\x1e';
const utf8 = (text: string) => new TextEncoder().encode(text);

function handshakeError(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).protocol).toBe('handshake');
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('handshake', () => {
  it('writes the request as the official client does', () => {
    expect(writeHandshakeRequest({ protocol: 'messagepack', version: 2 })).toBe(
      `{"protocol":"messagepack","version":2}${RS}`,
    );
  });

  it('writes responses', () => {
    expect(writeHandshakeResponse({})).toBe(`{}${RS}`);
    expect(writeHandshakeResponse({ error: "Requested protocol 'x' is not available." })).toBe(
      `{"error":"Requested protocol 'x' is not available."}${RS}`,
    );
  });

  it('parses a request, as text or bytes, with what follows it', () => {
    expect(parseHandshakeRequest(`{"protocol":"json","version":1}${RS}`)).toEqual({
      message: { protocol: 'json', version: 1 },
      remaining: undefined,
    });
    const { message, remaining } = parseHandshakeRequest(
      utf8(`{"protocol":"json","version":2}${RS}{"type":6}${RS}`),
    );
    expect(message).toEqual({ protocol: 'json', version: 2 });
    expect(remaining).toEqual(utf8(`{"type":6}${RS}`));
  });

  it('parses a response from text, with hub messages after it', () => {
    expect(parseHandshakeResponse(`{}${RS}`)).toEqual({ message: {}, remaining: undefined });
    expect(parseHandshakeResponse(`{}${RS}{"type":6}${RS}`)).toEqual({
      message: {},
      remaining: `{"type":6}${RS}`,
    });
    expect(parseHandshakeResponse(`{"error":"nope"}${RS}`).message).toEqual({ error: 'nope' });
    expect(parseHandshakeResponse(`{"error":null}${RS}`).message).toEqual({});
  });

  it('parses a response from bytes (a MessagePack connection), leaving the binary messages as a view', () => {
    const data = new Uint8Array([...utf8(`{}${RS}`), 0x02, 0x91, 0x06]);
    const { message, remaining } = parseHandshakeResponse(data.buffer);
    expect(message).toEqual({});
    expect(remaining).toEqual(new Uint8Array([0x02, 0x91, 0x06]));
    expect((remaining as Uint8Array).buffer).toBe(data.buffer);
  });

  it('decodes a non-ASCII error from bytes', () => {
    expect(parseHandshakeResponse(utf8(`{"error":"protocole refusé ✗"}${RS}`)).message).toEqual({
      error: 'protocole refusé ✗',
    });
  });

  it('keeps fields the response may gain', () => {
    expect(parseHandshakeResponse(`{"minorVersion":1}${RS}`).message).toEqual({});
  });

  describe('rejects', () => {
    it.each([
      ['no record separator', () => parseHandshakeResponse('{}'), /Incomplete handshake/],
      ['no record separator in bytes', () => parseHandshakeResponse(utf8('{}')), /Incomplete handshake/],
      ['malformed JSON', () => parseHandshakeResponse(`{${RS}`), /Malformed handshake/],
      ['a non-object', () => parseHandshakeResponse(`[]${RS}`), /must be a JSON object/],
      [
        'a hub message instead',
        () => parseHandshakeResponse(`{"type":6}${RS}`),
        /Expected a handshake response/,
      ],
      ['a numeric error', () => parseHandshakeResponse(`{"error":1}${RS}`), /invalid 'error'/],
      [
        'invalid UTF-8',
        () => parseHandshakeResponse(new Uint8Array([0x7b, 0xff, 0x7d, 0x1e])),
        /not valid UTF-8/,
      ],
      ['a request without protocol', () => parseHandshakeRequest(`{"version":1}${RS}`), /'protocol'/],
      [
        'a request with a numeric protocol',
        () => parseHandshakeRequest(`{"protocol":1,"version":1}${RS}`),
        /'protocol'/,
      ],
      ['a request without version', () => parseHandshakeRequest(`{"protocol":"json"}${RS}`), /'version'/],
      [
        'a fractional version',
        () => parseHandshakeRequest(`{"protocol":"json","version":1.5}${RS}`),
        /'version'/,
      ],
      ['a hub message as request', () => parseHandshakeRequest(`{"type":1}${RS}`), /'protocol'/],
    ])('%s', (_, run, message) => {
      expect(handshakeError(run).message).toMatch(message);
    });
  });
});
