import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFunctionRef } from './resolve.js';
import { fn, runtime } from './fixture-support.js';

describe('function references', () => {
  it('parses names, partial and full ARNs, with qualifiers', () => {
    assert.deepEqual(parseFunctionRef('my-fn'), { name: 'my-fn' });
    assert.deepEqual(parseFunctionRef('my-fn:live'), { name: 'my-fn', qualifier: 'live' });
    assert.deepEqual(parseFunctionRef('000000000000:function:my-fn'), { name: 'my-fn' });
    assert.deepEqual(parseFunctionRef('000000000000:function:my-fn:$LATEST'), { name: 'my-fn', qualifier: '$LATEST' });
    assert.deepEqual(parseFunctionRef('arn:aws:lambda:us-east-1:000000000000:function:my-fn'), { name: 'my-fn' });
    assert.deepEqual(parseFunctionRef('arn:aws:lambda:eu-west-1:123456789012:function:my-fn:7'), { name: 'my-fn', qualifier: '7' });
    assert.equal(parseFunctionRef('arn:aws:lambda:us-east-1:000000000000:layer:x'), undefined);
    assert.equal(parseFunctionRef('has space'), undefined);
  });

  it('finds functions by any of those references', async () => {
    const rt = runtime([fn('Orders')]);
    assert.equal(rt.get('Orders')?.name, 'Orders');
    assert.equal(rt.get('arn:aws:lambda:us-east-1:000000000000:function:Orders:live')?.name, 'Orders');
    assert.equal(rt.get('000000000000:function:Orders')?.name, 'Orders');
    assert.equal(rt.has('orders'), false);
    await assert.rejects(rt.invoke('Missing', '{}'), { code: 'ResourceNotFoundException', statusCode: 404 });
    await rt.close();
  });
});
