import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fixtures, fn, json, runtime } from './fixture-support.js';

const cjs = path.join(fixtures, 'node-cjs');
const esm = path.join(fixtures, 'node-esm');

// A layer as SAM unpacks it: <layer>/nodejs/node_modules/<package> (node_modules folders are git-ignored, so built here).
const layer = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-layer-'));
fs.mkdirSync(path.join(layer, 'nodejs', 'node_modules', 'greeting'), { recursive: true });
fs.writeFileSync(path.join(layer, 'nodejs', 'node_modules', 'greeting', 'index.js'), 'module.exports = (name) => `hello from ${name}`;\n');

const sink: string[] = [];
const rt = runtime(
  [
    fn('counter', { handler: 'counter.handler' }),
    fn('serial', { handler: 'counter.handler', reservedConcurrency: 1 }),
    fn('esm', { handler: 'index.handler', codeDir: esm }),
    fn('mjs', { handler: 'esm.handler' }),
    fn('cjsInEsm', { handler: 'common.handler', codeDir: esm }),
    fn('nested', { handler: 'nested/deep.handlers.main' }),
    fn('cbWaits', { handler: 'callback.waits' }),
    fn('cbNoWait', { handler: 'callback.noWait' }),
    fn('cbFails', { handler: 'callback.fails' }),
    fn('succeed', { handler: 'callback.legacySucceed' }),
    fn('sync', { handler: 'callback.sync' }),
    fn('context', { handler: 'context.handler', memorySize: 256, timeout: 7, environment: { STAGE: 'test', AWS_REGION: 'not-allowed' } }),
    fn('layered', { handler: 'layered.handler', layers: [layer] }),
    fn('logs', { handler: 'errors.logs' }),
    fn('throws', { handler: 'errors.throws' }),
    fn('throwsType', { handler: 'errors.throwsType' }),
    fn('rejectsString', { handler: 'errors.rejectsString' }),
    fn('initThrow', { handler: 'initthrow.handler' }),
    fn('missingDep', { handler: 'needs-missing.handler' }),
    fn('missingModule', { handler: 'nope.handler' }),
    fn('missingExport', { handler: 'counter.nothing' }),
    fn('notFunction', { handler: 'not-a-function.handler' }),
    fn('inline', { codeDir: undefined, inlineCode: 'exports.handler = async (e) => ({ inline: e.n * 2 });' }),
    fn('noCode', { codeDir: undefined }),
    fn('node24Callback', { runtime: 'nodejs24.x', handler: 'callback.waits' }),
    fn('java', { runtime: 'java21' }),
  ],
  { logSink: (line) => sink.push(line) },
);

after(async () => {
  await rt.close();
  fs.rmSync(layer, { recursive: true, force: true });
});

describe('Node.js execution environments', () => {
  it('reuses a warm environment: module scope survives, only the first call is a cold start', async () => {
    const first = await rt.invoke('counter', '{"n":1}');
    const second = await rt.invoke('counter', Buffer.from('{"n":2}'));
    const a = json(first.payload);
    const b = json(second.payload);
    assert.equal(a.count, 1);
    assert.equal(b.count, 2);
    assert.equal(a.environment, b.environment);
    assert.deepEqual(b.echo, { n: 2 });
    assert.equal(typeof first.initDurationMs, 'number');
    assert.equal(second.initDurationMs, undefined);
    assert.equal(first.functionError, undefined);
    assert.match(first.logTail, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    assert.match(first.logTail, /\nREPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\n$/);
    assert.doesNotMatch(second.logTail, /Init Duration/);
    assert.ok(second.logTail.includes(`END RequestId: ${second.requestId}\n`));
  });

  it('hands an empty payload to the function as {}', async () => {
    assert.deepEqual(json((await rt.invoke('counter', '')).payload).echo, {});
  });

  it('loads ESM (type: module, top-level await), .mjs, .cjs and nested handler paths', async () => {
    assert.deepEqual(json((await rt.invoke('esm', '{}')).payload), { format: 'esm', config: { loaded: true }, calls: 1 });
    assert.deepEqual(json((await rt.invoke('esm', '{}')).payload).calls, 2);
    assert.deepEqual(json((await rt.invoke('mjs', '{}')).payload), { format: 'mjs', meta: 'string' });
    assert.deepEqual(json((await rt.invoke('cjsInEsm', '{}')).payload), { format: 'cjs' });
    const nested = json((await rt.invoke('nested', '{}')).payload);
    assert.equal(nested.nested, true);
    assert.equal(nested.file, path.join(cjs, 'nested', 'deep.js'));
  });

  it('runs callback handlers, waiting for the event loop unless told not to', async () => {
    const waits = await rt.invoke('cbWaits', '{}');
    assert.deepEqual(json(waits.payload), { style: 'callback', timerRanBefore: 0 });
    assert.ok(waits.durationMs >= 140, `waited for the timer (${waits.durationMs} ms)`);
    // The timer ran before that response was sent, so the next call sees it.
    assert.equal(json((await rt.invoke('cbWaits', '{}')).payload).timerRanBefore, 1);
    const noWait = await rt.invoke('cbNoWait', '{}');
    assert.ok(noWait.durationMs < 1000, `answered before its 1.5 s timer (${noWait.durationMs} ms)`);
    assert.deepEqual(json((await rt.invoke('succeed', '{}')).payload), { via: 'succeed' });
    const sync = await rt.invoke('sync', '{}');
    assert.equal(sync.payload.toString(), 'null');
    const failed = await rt.invoke('cbFails', '{}');
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal(json(failed.payload).errorMessage, 'callback failure');
  });

  it('gives the context object and the Lambda environment variables', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:context:live';
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'a' } })).toString('base64');
    const result = await rt.invoke(arn, '{}', { clientContext });
    const { context, env, cwd, timezoneOffset, dateString } = json(result.payload);
    assert.equal(context.awsRequestId, result.requestId);
    assert.equal(context.functionName, 'context');
    assert.equal(context.functionVersion, '$LATEST');
    assert.equal(context.invokedFunctionArn, arn);
    assert.equal(context.memoryLimitInMB, '256');
    assert.equal(context.logGroupName, '/aws/lambda/context');
    assert.match(context.logStreamName, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.ok(context.remaining > 5000 && context.remaining <= 7000, `remaining ${context.remaining}`);
    assert.equal(context.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(context.clientContext, { custom: { tenant: 'a' } });

    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'context');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/context');
    assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, context.logStreamName);
    assert.equal(env.AWS_REGION, 'us-east-1', 'reserved variables cannot be overridden');
    assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env._HANDLER, 'context.handler');
    assert.equal(env.LAMBDA_TASK_ROOT, cjs);
    assert.ok(env.LAMBDA_RUNTIME_DIR);
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.ok(env.PATH);
    assert.ok(env.NODE_PATH.split(path.delimiter).includes(cjs));
    assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN);
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4566');
    assert.match(env._X_AMZN_TRACE_ID, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    assert.equal(env.STAGE, 'test');
    assert.equal(env.HOME, undefined, 'nothing leaks from the gatehouse process');
    assert.equal(cwd, cjs);
    assert.equal(timezoneOffset, 0);
    assert.match(dateString, /GMT\+0000/);
  });

  it('resolves packages from layers through NODE_PATH', async () => {
    assert.equal(json((await rt.invoke('layered', '{}')).payload), 'hello from layer');
  });

  it('runs inline Code.ZipFile source as index.js', async () => {
    assert.deepEqual(json((await rt.invoke('inline', '{"n":21}')).payload), { inline: 42 });
  });

  it('writes console output as Lambda does, in order, into the tail and the sink', async () => {
    const result = await rt.invoke('logs', '{}');
    const lines = result.logTail.trimEnd().split('\n');
    const id = result.requestId;
    assert.equal(lines[0], `START RequestId: ${id} Version: $LATEST`);
    assert.match(lines[1]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${id}\\tINFO\\thello { from: 'console.log' }$`));
    assert.match(lines[2]!, new RegExp(`\\t${id}\\tERROR\\tmulti\\rline$`));
    assert.match(lines[3]!, new RegExp(`\\t${id}\\tWARN\\tcareful$`));
    assert.equal(lines[4], 'raw stdout line');
    assert.equal(lines[5], `END RequestId: ${id}`);
    assert.match(lines[6]!, /^REPORT /);
    for (const line of lines) assert.ok(sink.includes(line), `sink has ${line}`);
  });

  it('accepts an Event invocation at once and runs it in the background', async () => {
    const before = json((await rt.invoke('serial', '{}')).payload).count;
    const accepted = await rt.invoke('serial', '{"sleepMs":100}', { invocationType: 'Event' });
    assert.equal(accepted.payload.length, 0);
    assert.equal(accepted.logTail, '');
    assert.match(accepted.requestId, /^[0-9a-f-]{36}$/);
    assert.ok(!sink.includes(`END RequestId: ${accepted.requestId}`), 'still running');
    // One environment (reserved concurrency 1): the next call queues behind the event.
    const later = json((await rt.invoke('serial', '{}')).payload).count;
    assert.equal(later, before + 2, 'the event ran before the next synchronous call');
    assert.ok(sink.includes(`END RequestId: ${accepted.requestId}`));
  });

  it('refuses a payload that is not JSON without running the function', async () => {
    await assert.rejects(rt.invoke('counter', '{oops'), { code: 'InvalidRequestContentException', statusCode: 400 });
    assert.equal(json((await rt.invoke('counter', '{}')).payload).count > 0, true, 'environment still usable');
  });

  it('rejects runtimes it cannot run', async () => {
    await assert.rejects(rt.invoke('java', '{}'), { code: 'InvalidRuntimeException' });
  });
});

describe('Node.js error payloads', () => {
  it('shapes a thrown Error as the Node runtime does', async () => {
    const result = await rt.invoke('throws', '{}');
    assert.equal(result.functionError, 'Unhandled');
    const body = json(result.payload);
    assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'boom');
    assert.equal(body.trace[0], 'Error: boom');
    assert.match(body.trace[1], /^ {4}at .*errors\.js:\d+:\d+\)?$/);
    assert.match(result.logTail, /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom","stack":\["Error: boom"/);
    // A handled function error keeps the environment warm.
    assert.equal((await rt.invoke('throws', '{}')).initDurationMs, undefined);
  });

  it('uses the error name as errorType and typeof for non-errors', async () => {
    const typeError = json((await rt.invoke('throwsType', '{}')).payload);
    assert.equal(typeError.errorType, 'TypeError');
    assert.match(typeError.errorMessage, /Cannot read properties of null/);
    assert.deepEqual(json((await rt.invoke('rejectsString', '{}')).payload), { errorType: 'string', errorMessage: 'plain string', trace: [] });
  });

  it('reports init failures with the runtime error types', async () => {
    const thrown = await rt.invoke('initThrow', '{}');
    assert.equal(thrown.functionError, 'Unhandled');
    assert.equal(json(thrown.payload).errorType, 'Error');
    assert.equal(json(thrown.payload).errorMessage, 'init exploded');
    assert.match(thrown.logTail, /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Error"/);
    assert.match(thrown.logTail, /INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Error/);

    const dep = json((await rt.invoke('missingDep', '{}')).payload);
    assert.equal(dep.errorType, 'Runtime.ImportModuleError');
    assert.match(dep.errorMessage, /^Error: Cannot find module 'definitely-not-installed-package'/);

    const mod = json((await rt.invoke('missingModule', '{}')).payload);
    assert.equal(mod.errorType, 'Runtime.ImportModuleError');
    assert.match(mod.errorMessage, /^Error: Cannot find module 'nope'/);

    const noExport = json((await rt.invoke('missingExport', '{}')).payload);
    assert.deepEqual([noExport.errorType, noExport.errorMessage], ['Runtime.HandlerNotFound', 'counter.nothing is undefined or not exported']);
    const notFn = json((await rt.invoke('notFunction', '{}')).payload);
    assert.deepEqual([notFn.errorType, notFn.errorMessage], ['Runtime.HandlerNotFound', 'not-a-function.handler is not a function']);

    const noCode = json((await rt.invoke('noCode', '{}')).payload);
    assert.equal(noCode.errorType, 'Runtime.ImportModuleError');

    const deprecated = json((await rt.invoke('node24Callback', '{}')).payload);
    assert.equal(deprecated.errorType, 'Runtime.CallbackHandlerDeprecated');
  });
});
