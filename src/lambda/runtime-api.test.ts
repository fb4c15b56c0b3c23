import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fixtures, fn, json, runtime } from './fixture-support.js';

const python = path.join(fixtures, 'python');
const provided = path.join(fixtures, 'provided');

const rt = runtime([
  fn('py', { runtime: 'python3.12', handler: 'app.handler', codeDir: python, environment: { GREETING: 'hi' } }),
  fn('pyFails', { runtime: 'python3.12', handler: 'app.fails', codeDir: python }),
  fn('pySlow', { runtime: 'python3.12', handler: 'app.slow', codeDir: python, timeout: 1 }),
  fn('pyExits', { runtime: 'python3.12', handler: 'app.exits', codeDir: python }),
  fn('pyBroken', { runtime: 'python3.12', handler: 'broken_import.handler', codeDir: python }),
  fn('pyNoHandler', { runtime: 'python3.12', handler: 'app.missing', codeDir: python }),
  fn('custom', { runtime: 'provided.al2023', handler: 'my.handler', codeDir: provided }),
  fn('noBootstrap', { runtime: 'provided.al2', handler: 'x', codeDir: python }),
]);

after(() => rt.close());

describe('Python through the Runtime API', () => {
  it('runs the handler with its context, keeps the module warm and logs as the Python runtime', async () => {
    const first = await rt.invoke('arn:aws:lambda:us-east-1:000000000000:function:py', '{"x":1}');
    const clientContext = Buffer.from(JSON.stringify({ custom: { who: 'zoë' } })).toString('base64');
    const second = await rt.invoke('py', '{"x":2}', { clientContext });
    const a = json(first.payload);
    const b = json(second.payload);
    assert.equal(first.functionError, undefined);
    assert.deepEqual([a.count, b.count], [1, 2]);
    assert.equal(a.pid, b.pid);
    assert.deepEqual(b.echo, { x: 2 });
    assert.equal(typeof first.initDurationMs, 'number');
    assert.equal(second.initDurationMs, undefined);
    assert.equal(a.context.aws_request_id, first.requestId);
    assert.equal(a.context.function_name, 'py');
    assert.equal(a.context.function_version, '$LATEST');
    assert.equal(a.context.memory_limit_in_mb, '128');
    assert.equal(a.context.invoked_function_arn, 'arn:aws:lambda:us-east-1:000000000000:function:py');
    assert.equal(a.context.log_group_name, '/aws/lambda/py');
    assert.match(a.context.log_stream_name, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(a.context.remaining > 1000 && a.context.remaining <= 3000);
    assert.equal(a.context.client_custom, null);
    assert.deepEqual(b.context.client_custom, { who: 'zoë' });
    assert.deepEqual(a.env, {
      AWS_LAMBDA_FUNCTION_NAME: 'py',
      AWS_EXECUTION_ENV: 'AWS_Lambda_python3.12',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      TZ: ':UTC',
      _HANDLER: 'app.handler',
    });
    assert.equal(a.cwd, python);
    const lines = second.logTail.trimEnd().split('\n');
    assert.equal(lines[0], `START RequestId: ${second.requestId} Version: $LATEST`);
    assert.equal(lines[1], 'python says hi');
    assert.match(lines[2]!, new RegExp(`^\\[WARNING\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${second.requestId}\\ta warning line$`));
    assert.equal(lines[3], `END RequestId: ${second.requestId}`);
  });

  it('shapes errors as the Python runtime does', async () => {
    const result = await rt.invoke('pyFails', '{}');
    assert.equal(result.functionError, 'Unhandled');
    const body = json(result.payload);
    assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(body.errorMessage, 'python boom');
    assert.equal(body.errorType, 'ValueError');
    assert.equal(body.requestId, result.requestId);
    assert.match(body.stackTrace[0], /File ".*app\.py", line \d+, in fails/);
    assert.match(result.logTail, /\[ERROR\] ValueError: python boom\rTraceback \(most recent call last\):\r/);

    const broken = json((await rt.invoke('pyBroken', '{}')).payload);
    assert.equal(broken.errorType, 'Runtime.ImportModuleError');
    assert.equal(broken.errorMessage, "Unable to import module 'broken_import': No module named 'module_that_does_not_exist'");
    const missing = json((await rt.invoke('pyNoHandler', '{}')).payload);
    assert.deepEqual([missing.errorType, missing.errorMessage], ['Runtime.HandlerNotFound', "Handler 'missing' missing on module 'app'"]);
  });

  it('times out, survives a process exit, and starts fresh environments after both', async () => {
    const slow = await rt.invoke('pySlow', '{}');
    assert.equal(json(slow.payload).errorType, 'Sandbox.Timedout');
    const exits = await rt.invoke('pyExits', '{}');
    assert.equal(json(exits.payload).errorMessage, `RequestId: ${exits.requestId} Error: Runtime exited with error: exit status 3`);
    assert.equal(typeof (await rt.invoke('pyExits', '{}')).initDurationMs, 'number');
  });
});

describe('provided runtimes', () => {
  it('runs the bootstrap from the code folder against the Runtime API', async () => {
    const before = Date.now();
    const first = await rt.invoke('custom:live', '{}');
    const after = Date.now();
    const body = json(first.payload);
    assert.equal(body.served, 1);
    assert.equal(body.handler, 'my.handler');
    assert.equal(body.arn, 'arn:aws:lambda:us-east-1:000000000000:function:custom:live');
    assert.ok(body.deadline >= before + 3000 && body.deadline <= after + 3000);
    assert.match(body.trace, /^Root=1-/);
    assert.match(first.logTail, new RegExp(`\\ncustom runtime handling ${first.requestId}\\n`));
    assert.equal(json((await rt.invoke('custom', '{}')).payload).served, 2);
    const failed = await rt.invoke('custom', '{"fail":true}');
    assert.equal(failed.functionError, 'Unhandled');
    assert.deepEqual(json(failed.payload), { errorMessage: 'custom failure', errorType: 'CustomError' });
  });

  it('reports a missing bootstrap as Runtime.InvalidEntrypoint', async () => {
    const body = json((await rt.invoke('noBootstrap', '{}')).payload);
    assert.equal(body.errorType, 'Runtime.InvalidEntrypoint');
    assert.match(body.errorMessage, /Couldn't find valid bootstrap\(s\): \[.*bootstrap\]/);
  });
});
