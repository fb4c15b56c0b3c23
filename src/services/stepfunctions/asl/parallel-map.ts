/**
 * Parallel and Map: branches and iterations run as child lines of execution with their own variable
 * scope; the first failure stops the others (unless a Distributed Map tolerates it); results keep
 * their order. Map reads items from ItemsPath / Items or from an ItemReader (S3 through the host),
 * with ItemSelector, ItemBatcher, MaxConcurrency and tolerated failure thresholds.
 * AWS docs: Step Functions developer guide, "Parallel workflow state", "Map workflow state", "Using Map
 * state in Distributed mode" (ItemReader, ItemBatcher, ToleratedFailurePercentage/Count); Amazon States
 * Language specification, "Parallel State", "Map State".
 */
import { errorOutputOf, runtimeError, States, StatesError } from './errors.js';
import { applyTemplate, selectPath, type Scope } from './payload.js';
import { ExecutionInterrupted, transition, type Branch, type Interpreter, type Outcome, type StateRun } from './interpreter.js';
import type { QueryLanguage, StateDef } from './query.js';

type Block = { StartAt: string; States: Record<string, StateDef>; QueryLanguage?: QueryLanguage; ProcessorConfig?: Record<string, unknown> };

function childBranch(parent: Branch, block: Block, signal: AbortSignal, mapItem?: Branch['mapItem']): Branch {
  return {
    states: block.States,
    variables: parent.variables.child(),
    signal,
    lastEvent: parent.lastEvent,
    language: block.QueryLanguage ?? parent.language,
    topLevel: false,
    ...(mapItem !== undefined ? { mapItem } : {}),
  };
}

/** A controller aborted with its parent, for stopping sibling branches. */
function linked(parent: AbortSignal): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, release: () => parent.removeEventListener('abort', onAbort) };
}

async function finish(engine: Interpreter, run: StateRun, scope: Scope, results: unknown): Promise<Outcome> {
  const { state, query } = run;
  const result = query.result(state, results, scope);
  const states = engine.states(run, { result });
  const values = await query.assign(state, result, states, scope);
  const output = await query.output(state, run.raw, result, states, scope);
  run.branch.variables.assign(values);
  return transition(state, output);
}

export async function runParallel(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query, branch } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  const input = await query.arguments(state, 'Parameters', effective, run.raw, scope);
  engine.record(branch, 'ParallelStateStarted');
  const blocks = (state['Branches'] as Block[] | undefined) ?? [];
  const { controller, release } = linked(branch.signal);
  let failure: unknown;
  const settled = await Promise.allSettled(
    blocks.map(async (block) => {
      try {
        return await engine.runBranch(block, input, childBranch(branch, block, controller.signal));
      } catch (error) {
        if (failure === undefined && !(error instanceof ExecutionInterrupted && error.kind === 'branch-cancelled')) {
          failure = error;
          controller.abort(new ExecutionInterrupted('branch-cancelled'));
        }
        throw error;
      }
    }),
  );
  release();
  if (branch.signal.aborted) throw branch.signal.reason;
  if (failure !== undefined) {
    engine.record(branch, 'ParallelStateFailed', failure instanceof StatesError ? { error: failure.error, cause: failure.cause } : undefined);
    throw failure;
  }
  engine.record(branch, 'ParallelStateSucceeded');
  return finish(engine, run, scope, settled.map((s) => (s as PromiseFulfilledResult<unknown>).value));
}

async function positiveNumber(run: StateRun, scope: Scope, effective: unknown, field: string, owner: StateDef = run.state): Promise<number | undefined> {
  let value: unknown;
  if (owner[`${field}Path`] !== undefined) value = selectPath(String(owner[`${field}Path`]), effective, scope);
  else if (owner[field] !== undefined) value = await run.query.jsonataValue(owner[field], { input: run.raw, context: scope.context }, scope, field);
  else return undefined;
  if (typeof value !== 'number' || value < 0) throw runtimeError(`The ${field} value must be a non-negative number, got ${JSON.stringify(value)}`);
  return value;
}

/** ItemReader: objects of an S3 listing, or the rows of a JSON / JSON Lines / CSV object, read through the host. */
async function readItems(engine: Interpreter, run: StateRun, effective: unknown, scope: Scope): Promise<unknown[]> {
  const reader = run.state['ItemReader'] as StateDef;
  const resource = String(reader['Resource']);
  const parameters =
    run.query.language === 'JSONPath'
      ? applyTemplate(reader['Parameters'] ?? {}, effective, scope)
      : await run.query.jsonataValue(reader['Arguments'] ?? {}, { input: run.raw, context: scope.context }, scope, 'ItemReader');
  const config = (reader['ReaderConfig'] as StateDef | undefined) ?? {};
  let result: unknown;
  try {
    result = await engine.host.invokeTask({ resource, parameters, stateName: run.name, signal: run.branch.signal, execution: engine.execution });
  } catch (error) {
    if (error instanceof ExecutionInterrupted) throw error;
    throw new StatesError(States.ItemReaderFailed, error instanceof StatesError ? error.message : String(error));
  }
  let items: unknown[];
  if (/listObjectsV2$/.test(resource)) {
    items = ((result as { Contents?: unknown[] } | undefined)?.Contents ?? []) as unknown[];
  } else {
    const body = (result as { Body?: unknown } | undefined)?.Body;
    const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : JSON.stringify(body ?? null);
    items = parseItems(text, config);
  }
  const max = config['MaxItems'] as number | undefined;
  return max !== undefined && max > 0 ? items.slice(0, max) : items;
}

export function parseItems(text: string, config: StateDef): unknown[] {
  const type = (config['InputType'] as string | undefined) ?? 'JSON';
  try {
    if (type === 'JSON') {
      const value: unknown = JSON.parse(text);
      if (!Array.isArray(value)) throw new Error('the JSON object must hold an array');
      return value;
    }
    if (type === 'JSONL') return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    if (type === 'CSV') {
      const rows = text.split(/\r?\n/).filter((l) => l !== '').map(csvRow);
      const headers = config['CSVHeaderLocation'] === 'GIVEN' ? (config['CSVHeaders'] as string[]) : rows.shift() ?? [];
      return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row[i] ?? ''])));
    }
  } catch (error) {
    throw new StatesError(States.ItemReaderFailed, `The item reader could not parse the ${type} object: ${(error as Error).message}`);
  }
  throw new StatesError(States.ItemReaderFailed, `Unsupported InputType ${type}`);
}

function csvRow(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') field += line[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

export async function runMap(engine: Interpreter, run: StateRun): Promise<Outcome> {
  const { state, query, branch } = run;
  const scope = engine.scope(run);
  const effective = query.input(state, run.raw, scope);
  let items: unknown;
  if (state['ItemReader'] !== undefined) items = await readItems(engine, run, effective, scope);
  else if (query.language === 'JSONata') items = 'Items' in state ? await query.jsonataValue(state['Items'], engine.states(run), scope, 'Items') : run.raw;
  else items = selectPath(state['ItemsPath'] as string | undefined, effective, scope);
  if (!Array.isArray(items)) {
    throw runtimeError(`Map state input must be an array, but the item source ${String(state['ItemsPath'] ?? '$')} selected ${JSON.stringify(items)?.slice(0, 200)}`);
  }
  const processor = (state['ItemProcessor'] ?? state['Iterator']) as Block | undefined;
  if (processor === undefined) throw runtimeError('The Map state has no ItemProcessor');
  const selector = state['ItemSelector'] ?? state['Parameters'];
  const selectorField = state['ItemSelector'] !== undefined ? 'ItemSelector' : 'Parameters';

  // Each item's input: ItemSelector with $$.Map.Item in scope, else the item itself.
  const inputs: unknown[] = [];
  for (let index = 0; index < items.length; index++) {
    if (selector === undefined) {
      inputs.push(items[index]);
      continue;
    }
    const mapItem = { Index: index, Value: items[index] };
    const itemScope: Scope = { context: { ...(scope.context as Record<string, unknown>), Map: { Item: mapItem } }, variables: scope.variables };
    inputs.push(
      query.language === 'JSONPath'
        ? applyTemplate(selector, effective, itemScope)
        : await query.jsonataValue(selector, { input: run.raw, context: itemScope.context }, itemScope, selectorField),
    );
  }
  const work = await batch(run, scope, effective, inputs);

  const maxConcurrency = (await positiveNumber(run, scope, effective, 'MaxConcurrency')) ?? 0;
  const toleratedCount = await positiveNumber(run, scope, effective, 'ToleratedFailureCount');
  const toleratedPercent = await positiveNumber(run, scope, effective, 'ToleratedFailurePercentage');
  const tolerant = toleratedCount !== undefined || toleratedPercent !== undefined;

  engine.record(branch, 'MapStateStarted', { length: work.length });
  const { controller, release } = linked(branch.signal);
  const results: unknown[] = new Array(work.length);
  let failure: unknown;
  let failed = 0;
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < work.length && !controller.signal.aborted) {
      const index = nextIndex++;
      const child = childBranch(branch, processor, controller.signal, { Index: index, Value: items[index] });
      child.lastEvent = engine.record(branch, 'MapIterationStarted', { name: run.name, index });
      try {
        results[index] = await engine.runBranch(processor, work[index], child);
        engine.record(branch, 'MapIterationSucceeded', { name: run.name, index });
      } catch (error) {
        if (error instanceof ExecutionInterrupted) {
          engine.record(branch, 'MapIterationAborted', { name: run.name, index });
          if (error.kind !== 'branch-cancelled' && failure === undefined) failure = error;
          return;
        }
        engine.record(branch, 'MapIterationFailed', { name: run.name, index });
        failed++;
        const statesError = error instanceof StatesError ? error : new StatesError(States.Runtime, String(error));
        if (tolerant) {
          results[index] = errorOutputOf(statesError);
          const overCount = toleratedCount !== undefined && failed > toleratedCount;
          const overPercent = toleratedPercent !== undefined && (failed / work.length) * 100 > toleratedPercent;
          const bothSet = toleratedCount !== undefined && toleratedPercent !== undefined;
          if (bothSet ? overCount && overPercent : overCount || overPercent) {
            if (failure === undefined) failure = new StatesError(States.ExceedToleratedFailureThreshold, 'The specified tolerated failure threshold was exceeded');
            controller.abort(new ExecutionInterrupted('branch-cancelled'));
          }
        } else if (failure === undefined) {
          failure = statesError;
          controller.abort(new ExecutionInterrupted('branch-cancelled'));
        }
      }
    }
  };
  const workers = Math.max(1, maxConcurrency === 0 ? work.length : Math.min(maxConcurrency, work.length));
  await Promise.all(Array.from({ length: workers }, worker));
  release();
  if (branch.signal.aborted) throw branch.signal.reason;
  if (failure !== undefined) {
    engine.record(branch, 'MapStateFailed', failure instanceof StatesError ? { error: failure.error, cause: failure.cause } : undefined);
    throw failure;
  }
  engine.record(branch, 'MapStateSucceeded');
  return finish(engine, run, scope, results);
}

/** ItemBatcher: groups of up to MaxItemsPerBatch items as `{Items: [...], BatchInput}`. */
async function batch(run: StateRun, scope: Scope, effective: unknown, inputs: unknown[]): Promise<unknown[]> {
  const batcher = run.state['ItemBatcher'] as StateDef | undefined;
  if (batcher === undefined) return inputs;
  const size = Math.max(1, Math.floor((await positiveNumber(run, scope, effective, 'MaxItemsPerBatch', batcher)) ?? inputs.length));
  const maxBytes = batcher['MaxInputBytesPerBatch'] as number | undefined;
  let batchInput: unknown;
  if (batcher['BatchInput'] !== undefined) {
    batchInput =
      run.query.language === 'JSONPath'
        ? applyTemplate(batcher['BatchInput'], effective, scope)
        : await run.query.jsonataValue(batcher['BatchInput'], { input: run.raw, context: scope.context }, scope, 'BatchInput');
  }
  const batches: unknown[] = [];
  let current: unknown[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push(batchInput === undefined ? { Items: current } : { BatchInput: batchInput, Items: current });
    current = [];
    bytes = 0;
  };
  for (const item of inputs) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item) ?? '');
    if (current.length >= size || (maxBytes !== undefined && current.length > 0 && bytes + itemBytes > maxBytes)) flush();
    current.push(item);
    bytes += itemBytes;
  }
  flush();
  return batches;
}
