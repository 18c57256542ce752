/**
 * Hub protocol codecs: our parse/write against the official client's JsonHubProtocol and MessagePackHubProtocol,
 * on small server-to-client Invocations as ASP.NET Core writes them.
 */
import { JsonHubProtocol, NullLogger, type HubMessage as OfficialHubMessage } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { jsonHubProtocol, MessageType, type InvocationMessage } from '@hubrx/core';
import { messagePackHubProtocol } from '@hubrx/core/msgpack';
import { compare, type ComparisonResult } from './harness.js';

const BATCH = 200;
/** Distinct messages: values mostly unique (so caches miss on them), targets and keys recurring as in real apps. */
const CORPUS = 4000;

function smallInvocation(i: number): InvocationMessage {
  return {
    type: MessageType.Invocation,
    target: i % 3 === 0 ? 'ReceiveMessage' : i % 3 === 1 ? 'UserJoined' : 'PriceChanged',
    arguments: [`user${i}`, `Hello number ${i}, how are you?`, i * 7, { Name: `item${i}`, Value: i }],
  };
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Returns a function that hands out the items in turn. */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

export function codecBenchmarks(): ComparisonResult[] {
  const officialJson = new JsonHubProtocol();
  const officialMsgpack = new MessagePackHubProtocol();
  const json = jsonHubProtocol();
  const msgpack = messagePackHubProtocol();
  const logger = NullLogger.instance;

  const messages = Array.from({ length: CORPUS }, (_, i) => smallInvocation(i));
  // Frames as the server writes them: JSON with `type`, `target`, `arguments` in that order.
  const jsonFrames = messages.map((m) => JSON.stringify(m) + '\x1e');
  const msgpackFrames = messages.map(
    (m) => new Uint8Array(officialMsgpack.writeMessage(m as OfficialHubMessage)),
  );
  const batches = Array.from({ length: CORPUS / BATCH }, (_, b) => b * BATCH);
  const jsonBatches = batches.map((b) => jsonFrames.slice(b, b + BATCH).join(''));
  // The official parser takes ArrayBuffers; ours takes either. Both get the same exact-size ArrayBuffers.
  const msgpackBuffers = msgpackFrames.map((f) => f.slice().buffer);
  const msgpackBatches = batches.map((b) => concat(msgpackFrames.slice(b, b + BATCH)).buffer);

  const nextJson = cycle(jsonFrames);
  const nextJson2 = cycle(jsonFrames);
  const nextJsonBatch = cycle(jsonBatches);
  const nextJsonBatch2 = cycle(jsonBatches);
  const nextMsgpack = cycle(msgpackBuffers);
  const nextMsgpack2 = cycle(msgpackBuffers);
  const nextMsgpackBatch = cycle(msgpackBatches);
  const nextMsgpackBatch2 = cycle(msgpackBatches);
  const nextMessage = cycle(messages);
  const nextMessage2 = cycle(messages);

  return [
    compare({
      name: 'JSON parse, 1 message/frame',
      unit: 'msg',
      unitsPerCall: 1,
      target: 1.2,
      official: () => officialJson.parseMessages(nextJson(), logger),
      ours: () => json.parse(nextJson2()),
    }),
    compare({
      name: `JSON parse, ${BATCH} messages/frame`,
      unit: 'msg',
      unitsPerCall: BATCH,
      target: 1.2,
      official: () => officialJson.parseMessages(nextJsonBatch(), logger),
      ours: () => json.parse(nextJsonBatch2()),
    }),
    compare({
      name: 'MessagePack parse, 1 message/frame',
      unit: 'msg',
      unitsPerCall: 1,
      target: 1.8,
      official: () => officialMsgpack.parseMessages(nextMsgpack(), logger),
      ours: () => msgpack.parse(nextMsgpack2()),
    }),
    compare({
      name: `MessagePack parse, ${BATCH} messages/frame`,
      unit: 'msg',
      unitsPerCall: BATCH,
      target: 1.8,
      official: () => officialMsgpack.parseMessages(nextMsgpackBatch(), logger),
      ours: () => msgpack.parse(nextMsgpackBatch2()),
    }),
    compare({
      name: 'JSON write',
      unit: 'msg',
      unitsPerCall: 1,
      official: () => officialJson.writeMessage(nextMessage() as OfficialHubMessage),
      ours: () => json.write(nextMessage2()),
    }),
    compare({
      name: 'MessagePack write',
      unit: 'msg',
      unitsPerCall: 1,
      official: () => officialMsgpack.writeMessage(nextMessage() as OfficialHubMessage),
      ours: () => msgpack.write(nextMessage2()),
    }),
  ];
}
