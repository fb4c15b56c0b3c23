/**
 * Parallel and Map. Facts: Step Functions developer guide "Parallel workflow state" (every branch gets
 * the same input, the output is an array of branch outputs in order, one failing branch fails the
 * state), "Map workflow state" (ItemsPath, ItemSelector with $$.Map.Item.Index/Value, MaxConcurrency,
 * results in item order, legacy Iterator/Parameters) and "Using Map state in Distributed mode"
 * (ItemReader from S3 JSON/CSV, ItemBatcher {Items, BatchInput}, ToleratedFailureCount/Percentage,
 * States.ExceedToleratedFailureThreshold); API reference "HistoryEvent" (Map/Parallel event types).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatesError } from './errors.js';
import { execute } from './testing.js';
import { parseItems } from './parallel-map.js';

describe('Parallel', () => {
  const machine = {
    StartAt: 'P',
    States: {
      P: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'a.$': '$.x' }, End: true } } },
          { StartAt: 'B', States: { B: { Type: 'Task', Resource: 'double', End: true } } },
        ],
        ResultSelector: { 'first.$': '$[0].a', 'second.$': '$[1]' },
        End: true,
      },
    },
  };
  it('runs every branch on the same input and outputs their results in order', async () => {
    const r = await execute(machine, { x: 21 }, { tasks: { double: (p) => (p as { x: number }).x * 2 } });
    assert.deepEqual(r.output, { first: 21, second: 42 });
    assert.deepEqual(r.types.slice(0, 2), ['ParallelStateEntered', 'ParallelStateStarted']);
    assert.deepEqual(r.types.slice(-2), ['ParallelStateSucceeded', 'ParallelStateExited']);
  });
  it('fails with the failing branch error, which Catch can handle', async () => {
    const failing = { tasks: { double: () => Promise.reject(new StatesError('Broken', 'branch 2')) } };
    const r = await execute(machine, { x: 1 }, failing);
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Broken', 'branch 2']);
    assert.ok(r.types.includes('ParallelStateFailed'));
    const caught = await execute(
      { StartAt: 'P', States: { P: { ...machine.States.P, End: undefined, Next: 'X', Catch: [{ ErrorEquals: ['Broken'], Next: 'X' }] }, X: { Type: 'Pass', End: true } } },
      { x: 1 },
      failing,
    );
    assert.deepEqual(caught.output, { Error: 'Broken', Cause: 'branch 2' });
  });
});

describe('Map', () => {
  it('runs the processor per item with ItemSelector and keeps item order', async () => {
    const r = await execute(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.orders',
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'order.$': '$$.Map.Item.Value', 'customer.$': '$.customer' },
            ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: 'ship', End: true } } },
            ResultPath: '$.shipped',
            End: true,
          },
        },
      },
      { customer: 'c1', orders: ['a', 'b', 'c'] },
      { tasks: { ship: async (p) => (await new Promise((r) => setTimeout(r, (3 - (p as { index: number }).index) * 5)), p) } },
    );
    assert.deepEqual(r.output, {
      customer: 'c1',
      orders: ['a', 'b', 'c'],
      shipped: [
        { index: 0, order: 'a', customer: 'c1' },
        { index: 1, order: 'b', customer: 'c1' },
        { index: 2, order: 'c', customer: 'c1' },
      ],
    });
    assert.deepEqual(r.types.slice(0, 3), ['MapStateEntered', 'MapStateStarted', 'MapIterationStarted']);
    assert.equal(r.events[1]!.details!['length'], 3);
    assert.equal(r.types.filter((t) => t === 'MapIterationSucceeded').length, 3);
  });

  it('honours MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const r = await execute(
      { StartAt: 'M', States: { M: { Type: 'Map', MaxConcurrency: 2, Iterator: { StartAt: 'W', States: { W: { Type: 'Task', Resource: 'w', End: true } } }, End: true } } },
      [1, 2, 3, 4, 5],
      {
        tasks: {
          w: async (p) => {
            peak = Math.max(peak, ++running);
            await new Promise((res) => setTimeout(res, 5));
            running--;
            return p;
          },
        },
      },
    );
    assert.deepEqual(r.output, [1, 2, 3, 4, 5]);
    assert.equal(peak, 2);
  });

  it('fails on the first failing iteration, or tolerates failures up to ToleratedFailureCount', async () => {
    const processor = { StartAt: 'W', States: { W: { Type: 'Task', Resource: 'w', End: true } } };
    const tasks = { w: (p: unknown) => (p === 2 ? Promise.reject(new StatesError('Bad', 'two')) : p) };
    const strict = await execute({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: processor, End: true } } }, [1, 2, 3], { tasks });
    assert.deepEqual([strict.status, strict.error], ['FAILED', 'Bad']);
    assert.ok(strict.types.includes('MapIterationFailed') && strict.types.includes('MapStateFailed'));
    const tolerant = await execute({ StartAt: 'M', States: { M: { Type: 'Map', ToleratedFailureCount: 1, ItemProcessor: processor, End: true } } }, [1, 2, 3], { tasks });
    assert.deepEqual(tolerant.output, [1, { Error: 'Bad', Cause: 'two' }, 3]);
    const exceeded = await execute({ StartAt: 'M', States: { M: { Type: 'Map', ToleratedFailurePercentage: 10, ItemProcessor: processor, End: true } } }, [1, 2, 3], { tasks });
    assert.equal(exceeded.error, 'States.ExceedToleratedFailureThreshold');
  });

  it('batches items with ItemBatcher and reads them from S3 with ItemReader (through the host)', async () => {
    const r = await execute(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'b', 'Key.$': '$.key' } },
            ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'source.$': '$.key' } },
            ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      { key: 'rows.csv' },
      { tasks: { 'arn:aws:states:::s3:getObject': (p) => ((p as { Key: string }).Key === 'rows.csv' ? { Body: 'id,name\n1,"a, b"\n2,c\n3,d\n' } : {}) } },
    );
    assert.deepEqual(r.output, [
      { BatchInput: { source: 'rows.csv' }, Items: [{ id: '1', name: 'a, b' }, { id: '2', name: 'c' }] },
      { BatchInput: { source: 'rows.csv' }, Items: [{ id: '3', name: 'd' }] },
    ]);
  });

  it('parses JSON and JSON Lines item sources', () => {
    assert.deepEqual(parseItems('[{"a":1},{"a":2}]', { InputType: 'JSON' }), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(parseItems('{"a":1}\n{"a":2}\n', { InputType: 'JSONL' }), [{ a: 1 }, { a: 2 }]);
    assert.throws(() => parseItems('{"a":1}', { InputType: 'JSON' }), (e: StatesError) => e.error === 'States.ItemReaderFailed');
  });

  it('fails with States.Runtime when ItemsPath does not select an array', async () => {
    const r = await execute({ StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$.x', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } }, { x: 1 });
    assert.equal(r.error, 'States.Runtime');
  });
});
