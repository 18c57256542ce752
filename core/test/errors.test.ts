import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

/*
 * Every error class of the public API: a literal `name` (what survives serialization and instanceof across
 * realms), its structured fields, `instanceof` both ways, and `cause` passed through as ES2022 error cause.
 */
const cause = new Error('lower level');

const cases = [
  {
    make: (withCause: boolean) =>
      new core.HubError('Boom', { target: 'Echo', invocationId: '7', ...(withCause && { cause }) }),
    type: core.HubError,
    name: 'HubError',
    fields: { target: 'Echo', invocationId: '7' },
  },
  {
    make: (withCause: boolean) =>
      new core.HttpError('GET /x answered 503', 503, withCause ? { cause } : undefined),
    type: core.HttpError,
    name: 'HttpError',
    fields: { statusCode: 503 },
  },
  {
    make: (withCause: boolean) =>
      new core.NegotiateError('Negotiation failed', { statusCode: 404, ...(withCause && { cause }) }),
    type: core.NegotiateError,
    name: 'NegotiateError',
    fields: { statusCode: 404 },
  },
  {
    make: (withCause: boolean) =>
      new core.TransportError('Unable to connect', {
        transport: 'webSockets',
        attempts: [{ transport: 'webSockets', error: new Error('refused') }],
        ...(withCause && { cause }),
      }),
    type: core.TransportError,
    name: 'TransportError',
    fields: { transport: 'webSockets', attempts: [{ transport: 'webSockets', error: new Error('refused') }] },
  },
  {
    make: (withCause: boolean) => new core.TimeoutError('Too slow', 250, withCause ? { cause } : undefined),
    type: core.TimeoutError,
    name: 'TimeoutError',
    fields: { timeoutMs: 250 },
  },
  {
    make: (withCause: boolean) => new core.AbortError('Stopped', withCause ? { cause } : undefined),
    type: core.AbortError,
    name: 'AbortError',
    fields: {},
  },
  {
    make: (withCause: boolean) =>
      new core.ProtocolError('Malformed', { protocol: 'json', messageType: 1, ...(withCause && { cause }) }),
    type: core.ProtocolError,
    name: 'ProtocolError',
    fields: { protocol: 'json', messageType: 1 },
  },
  {
    make: (withCause: boolean) =>
      new core.ConnectionClosedError('Closed', { invocationId: '3', ...(withCause && { cause }) }),
    type: core.ConnectionClosedError,
    name: 'ConnectionClosedError',
    fields: { invocationId: '3' },
  },
] as const;

describe('error classes', () => {
  it.each(cases)(
    '$name: literal name, fields, instanceof, message and stack',
    ({ make, type, name, fields }) => {
      const error = make(false);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(type);
      expect(error.name).toBe(name);
      expect(error).toMatchObject(fields);
      expect(error.message.length).toBeGreaterThan(0);
      expect(String(error)).toBe(`${name}: ${error.message}`);
      expect(error.stack).toContain(name);
      // No cause given: none at all, rather than an own `cause: undefined` that loggers would print.
      expect('cause' in error).toBe(false);
      for (const other of cases) if (other.type !== type) expect(error).not.toBeInstanceOf(other.type);
    },
  );

  it.each(cases)('$name: carries its cause', ({ make }) => {
    expect(make(true).cause).toBe(cause);
  });

  it('the AbortError default message', () => {
    expect(new core.AbortError().message).toBe('The operation was aborted.');
  });
});
