import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fn, json, runtime } from './fixture-support.js';

// Both isolations keep Lambda's failure semantics (node-environment.ts).
for (const isolation of ['thread', 'process'] as const) {
  const rt = runtime([
    fn('slow', { handler: 'errors.slow', timeout: 1 }),
    fn('spin', { handler: 'errors.spin', timeout: 1 }),
    fn('exit1', { handler: 'errors.exit1' }),
    fn('exit0', { handler: 'errors.exit0' }),
    fn('unhandled', { handler: 'errors.unhandled' }),
    fn('uncaught', { handler: 'errors.uncaught' }),
    fn('hog', { handler: 'errors.hog', memorySize: 64, timeout: 20 }),
    fn('big', { handler: 'errors.bigResponse' }),
    fn('lateExit', { handler: 'errors.lateExit' }),
    fn('counter', { handler: 'counter.handler' }),
  ], { isolation });

  after(() => rt.close());

  /** The same function answers its next request, from a fresh environment. */
  async function recovers(name: string): Promise<void> {
    const next = await rt.invoke(name, '{"ok":true}');
    assert.equal(json(next.payload), 'recovered');
    assert.equal(typeof next.initDurationMs, 'number', `${name}: a fresh environment replaced the dead one`);
  }

  describe(`timeouts, crashes and recovery (${isolation} isolation)`, () => {
    it('times out an invocation, kills its environment and serves the next request', async () => {
      const result = await rt.invoke('slow', '{}');
      assert.ok(result.durationMs >= 1000);
      assert.equal(result.functionError, 'Unhandled');
      assert.deepEqual(json(result.payload), {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
      });
      assert.match(result.logTail, new RegExp(`\\n\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${result.requestId} Task timed out after 1.00 seconds\\n`));
      assert.match(result.logTail, /\tStatus: timeout\n$/);
      await recovers('slow');
    });

    it('stops a synchronous infinite loop at the timeout', async () => {
      const result = await rt.invoke('spin', '{}');
      assert.equal(json(result.payload).errorType, 'Sandbox.Timedout');
      await recovers('spin');
    });

    it('reports process.exit as Runtime.ExitError and starts a fresh environment', async () => {
      const result = await rt.invoke('exit1', '{}');
      assert.equal(result.functionError, 'Unhandled');
      assert.deepEqual(json(result.payload), {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 1`,
      });
      assert.match(result.logTail, /\nRuntime\.ExitError\nEND RequestId/);
      await recovers('exit1');
      const zero = json((await rt.invoke('exit0', '{}')).payload);
      assert.equal(zero.errorMessage.endsWith('Error: Runtime exited without providing a reason'), true);
    });

    it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
      const result = await rt.invoke('unhandled', '{}');
      const body = json(result.payload);
      assert.equal(body.errorType, 'Runtime.UnhandledPromiseRejection');
      assert.equal(body.errorMessage, 'Error: lost promise');
      assert.equal(body.trace[0], 'Runtime.UnhandledPromiseRejection: Error: lost promise');
      assert.match(result.logTail, /\tERROR\tUnhandled Promise Rejection \t/);
      await recovers('unhandled');
    });

    it('reports an exception thrown outside the handler chain and recovers', async () => {
      const body = json((await rt.invoke('uncaught', '{}')).payload);
      assert.deepEqual([body.errorType, body.errorMessage], ['Error', 'thrown from a timer']);
      await recovers('uncaught');
    });

    if (isolation === 'process') {
      it('forgets an environment that dies while idle', async () => {
        assert.equal(json((await rt.invoke('lateExit', '{}')).payload).answered, true);
        while (rt.environments('lateExit') > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const next = await rt.invoke('lateExit', '{}');
        assert.equal(next.functionError, undefined);
        assert.equal(typeof next.initDurationMs, 'number');
      });
    } else {
      // "Lambda execution environment lifecycle" (lambda-runtime-environment.html): after an
      // invocation Lambda freezes the environment; callbacks left pending resume when it is reused.
      it('freezes an idle environment: work left pending resumes only on its next invocation', async () => {
        assert.equal(json((await rt.invoke('lateExit', '{}')).payload).answered, true);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(rt.environments('lateExit'), 1, 'the pending process.exit did not run while frozen');
        const reused = await rt.invoke('lateExit', '{}');
        assert.equal(reused.initDurationMs, undefined, 'served by the same environment');
        while (rt.environments('lateExit') > 0) await new Promise((resolve) => setTimeout(resolve, 20));
        const fresh = await rt.invoke('lateExit', '{}');
        assert.equal(fresh.functionError, undefined);
        assert.equal(typeof fresh.initDurationMs, 'number');
      });
    }

    it('ends an environment that exceeds its memory with Runtime.OutOfMemory', async () => {
      const result = await rt.invoke('hog', '{}');
      assert.deepEqual(json(result.payload), {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
      });
      assert.match(result.logTail, /Error Type: Runtime\.OutOfMemory\n$/);
    });

    it('replaces a response over 6 MB with Function.ResponseSizeTooLarge', async () => {
      const result = await rt.invoke('big', '{}');
      assert.equal(result.functionError, 'Unhandled');
      assert.equal(json(result.payload).errorType, 'Function.ResponseSizeTooLarge');
    });

    it('kills every environment on close; later invocations are refused', async () => {
      await rt.invoke('counter', '{}');
      await rt.close();
      await assert.rejects(rt.invoke('counter', '{}'), { code: 'ServiceException' });
    });
  });
}
