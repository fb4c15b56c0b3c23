/**
 * Template state machines. Facts: CloudFormation "AWS::StepFunctions::StateMachine" (Definition object,
 * DefinitionString, DefinitionSubstitutions replacing `${...}` placeholders, StateMachineType) and SAM
 * "AWS::Serverless::StateMachine" (Definition, DefinitionUri, Type); DESIGN.md (a malformed definition
 * is rejected at start with the file and the JSON pointer).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTemplateMachines } from './template.js';
import { StepFunctionsStore } from './store.js';
import { machineResource, testProject } from './testing.js';

function withStore(run: (store: StepFunctionsStore) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sfn-template-'));
  const store = new StepFunctionsStore(path.join(dir, 'db.sqlite'));
  try {
    run(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('template state machines', () => {
  it('substitutes ${Var} inside string values of an object Definition', () => {
    withStore((store) => {
      const [m] = loadTemplateMachines(
        testProject([
          machineResource(
            'sub',
            { Definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: '${FnArn}', End: true } } }, DefinitionSubstitutions: { FnArn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }, StateMachineType: 'EXPRESS' },
            'AWS::StepFunctions::StateMachine',
          ),
        ]),
        store,
        1,
      );
      assert.equal(m!.type, 'EXPRESS');
      assert.equal(JSON.parse(m!.definition).States.T.Resource, 'arn:aws:lambda:us-east-1:000000000000:function:f');
      assert.equal(store.getMachine(m!.arn)?.name, 'sub');
    });
  });

  it('rejects a malformed definition naming the file and the JSON pointer', () => {
    withStore((store) => {
      assert.throws(
        () => loadTemplateMachines(testProject([machineResource('bad', { Definition: { StartAt: 'A', States: { A: { Type: 'Pass' } } } })]), store, 1),
        /\/tmp\/template\.yaml#\/Resources\/bad\/Properties\/Definition: Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Exactly one of "Next" or "End" is required at \/States\/A'/,
      );
      assert.throws(() => loadTemplateMachines(testProject([machineResource('nodef', { DefinitionUri: 's3://bucket/key.json' })]), store, 1), /no local definition/);
    });
  });
});
