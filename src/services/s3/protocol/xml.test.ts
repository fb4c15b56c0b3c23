// The XML reader on S3 request bodies and the writer's escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from '../../protocol/errors.js';
import { childNodes, childText, document, element, parseXml } from './xml.js';

test('reads a DeleteObjects body with namespace, entities, CDATA and comments', () => {
  const root = parseXml(
    '<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><!-- c --><Quiet>true</Quiet>' +
      '<Object><Key>a &amp; b &lt;1&gt; &#233;&#x4e2d;</Key></Object><Object><Key><![CDATA[x<y]]></Key><VersionId/></Object></Delete>',
  );
  assert.equal(root.name, 'Delete');
  assert.equal(childText(root, 'Quiet'), 'true');
  assert.deepEqual(
    childNodes(root, 'Object').map((o) => childText(o, 'Key')),
    ['a & b <1> é中', 'x<y'],
  );
});

test('refuses what is not well-formed, and DOCTYPEs, with MalformedXML', () => {
  for (const bad of ['<a><b></a>', '<a>', 'text', '<a>&bogus;</a>', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', '<a></a><b/>', '<a>&#x110000;</a>']) {
    assert.throws(() => parseXml(bad), (error: unknown) => error instanceof AwsServiceError && error.code === 'MalformedXML', bad);
  }
});

test('writes escaped elements and omits absent ones', () => {
  assert.equal(element('Key', `a<b>&"'`), '<Key>a&lt;b&gt;&amp;&quot;&apos;</Key>');
  assert.equal(element('Key', undefined), '');
  assert.match(document('R', '<X/>'), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<R xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><X\/><\/R>$/);
});
