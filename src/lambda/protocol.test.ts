import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFrame, Frame, FrameDecoder, writeFrame, type FrameSink } from './protocol.js';

function collect(): { frames: [number, string, string][]; decoder: FrameDecoder } {
  const frames: [number, string, string][] = [];
  const decoder = new FrameDecoder((type, meta, payload) => frames.push([type, meta, payload.toString('utf8')]));
  return { frames, decoder };
}

describe('frame protocol', () => {
  it('decodes frames split at every byte and packed together', () => {
    const bytes = Buffer.concat([
      encodeFrame(Frame.Invoke, 'id-1\u00001700000000000', '{"a":"é"}'),
      encodeFrame(Frame.Log, '', 'line\n'),
      encodeFrame(Frame.Ready, '', ''),
    ]);
    const whole = collect();
    whole.decoder.push(bytes);
    const split = collect();
    for (let i = 0; i < bytes.length; i++) split.decoder.push(bytes.subarray(i, i + 1));
    const expected: [number, string, string][] = [
      [Frame.Invoke, 'id-1\u00001700000000000', '{"a":"é"}'],
      [Frame.Log, '', 'line\n'],
      [Frame.Ready, '', ''],
    ];
    assert.deepEqual(whole.frames, expected);
    assert.deepEqual(split.frames, expected);
  });

  it('writes large payloads as header + payload without changing the bytes', () => {
    const chunks: Buffer[] = [];
    const sink: FrameSink = { cork() {}, uncork() {}, write: (chunk) => chunks.push(Buffer.from(chunk)) > 0 };
    const big = Buffer.alloc(200_000, 7);
    writeFrame(sink, Frame.Result, '123', big);
    assert.equal(chunks.length, 2);
    const { frames, decoder } = collect();
    decoder.push(Buffer.concat(chunks));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]![1], '123');
    assert.equal(frames[0]![2].length, 200_000);
  });
});
