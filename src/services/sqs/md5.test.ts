// The attribute digest SQS returns (MD5OfMessageAttributes) and the body digest (MD5OfMessageBody).
// Algorithm: SQS Developer Guide, "Calculating the MD5 message digest for message attributes"
// (sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation). The expected values
// below are published test vectors of independent implementations of that algorithm, checked
// against SQS by their authors; the body digests are the ones observed from SQS in the shared
// conformance cases (sqs/rest-passthrough-json-shape, sqs/rest-sendmessage-response-template).
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { md5Hex, md5OfAttributes } from './md5.js';

describe('SQS message digests', () => {
  it('MD5OfMessageBody is the MD5 of the UTF-8 body', () => {
    assert.equal(md5Hex('{"status": "ok"}'), '0d7ac2dec5f281678f65dcf7fe4681ba');
    assert.equal(md5Hex('{"foo": "bar"}'), '94232c5b8fc9272f6f73a1e36eb68fcf');
    assert.equal(md5Hex('{\n    "message": "Hello"\n  }'), '0046701aed8ee5c7de6c01430556b13e');
  });

  it('MD5OfMessageAttributes of one Number attribute', () => {
    assert.equal(md5OfAttributes({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } }), '235c5c510d26fb653d073faed50ae77c');
  });

  it('MD5OfMessageAttributes of one String attribute', () => {
    assert.equal(md5OfAttributes({ SellerName: { DataType: 'String', StringValue: 'Example Store' } }), 'cd28f3b68aeee4b2eac9c66f2f694b58');
  });

  it('sorts attributes by name whatever order they come in', () => {
    const expected = '66d793da93becb551e41562575418975';
    assert.equal(
      md5OfAttributes({
        SellerName: { DataType: 'String', StringValue: 'Example Store' },
        Region: { DataType: 'String', StringValue: 'WA' },
        City: { DataType: 'String', StringValue: 'Any City' },
        PostalCode: { DataType: 'String', StringValue: '99065' },
      }),
      expected,
    );
  });

  it('encodes Binary values as raw bytes with transport type 2', () => {
    // Built by hand from the documented steps: length-prefixed name, type, byte 2, length-prefixed bytes.
    const bytes = Buffer.from([0, 1, 2, 255]);
    const parts = [lp(Buffer.from('bin')), lp(Buffer.from('Binary')), Buffer.from([2]), lp(bytes)];
    const expected = createHash('md5').update(Buffer.concat(parts)).digest('hex');
    assert.equal(md5OfAttributes({ bin: { DataType: 'Binary', BinaryValue: bytes.toString('base64') } }), expected);
  });

  it('is undefined without attributes', () => {
    assert.equal(md5OfAttributes(undefined), undefined);
    assert.equal(md5OfAttributes({}), undefined);
  });
});

function lp(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

