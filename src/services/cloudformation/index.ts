/**
 * The loaded template served as a CloudFormation stack, so `aws cloudformation describe-stacks`
 * finds outputs and physical ids as users do after a SAM deploy: DescribeStacks, ListStacks,
 * ListStackResources, DescribeStackResources, DescribeStackResource, GetTemplate (query protocol).
 * AWS docs: AWS CloudFormation API reference (DescribeStacks, ListStackResources, DescribeStackResources).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Project, TemplateResource } from '../../definitions/model.js';
import type { EmbeddedService, ServiceContext } from '../service.js';
import { AwsServiceError } from '../protocol/errors.js';
import { queryAction, queryParameters, writeQueryError, writeQueryResult } from '../protocol/query.js';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const ACTIONS = new Set(['DescribeStacks', 'ListStacks', 'ListStackResources', 'DescribeStackResources', 'DescribeStackResource', 'GetTemplate']);

export async function cloudFormationService(context: ServiceContext): Promise<EmbeddedService> {
  const project = context.project;
  const created = new Date().toISOString();
  const stackId = stackArn(project);

  const stack = () => ({
    StackId: stackId,
    StackName: project.stackName,
    CreationTime: created,
    StackStatus: 'CREATE_COMPLETE',
    DisableRollback: false,
    Parameters: Object.entries(project.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    Outputs: Object.entries(project.outputs).map(([OutputKey, output]) => ({
      OutputKey,
      OutputValue: typeof output.value === 'string' ? output.value : JSON.stringify(output.value),
      Description: output.description,
      ExportName: output.exportName,
    })),
    Tags: [],
  });
  const resource = (r: TemplateResource) => ({
    StackName: project.stackName,
    StackId: stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    Timestamp: created,
    LastUpdatedTimestamp: created,
    ResourceStatus: 'CREATE_COMPLETE',
  });
  const requireStack = (name: string | undefined) => {
    if (name !== undefined && name !== project.stackName && name !== stackId) {
      throw new AwsServiceError('ValidationError', `Stack with id ${name} does not exist`, 400);
    }
  };

  return {
    name: 'cloudformation',
    matches: (request) => {
      const action = queryAction(request);
      return action !== undefined && ACTIONS.has(action);
    },
    async handle(request, res) {
      const params = queryParameters(request);
      const action = params.get('Action')!;
      try {
        switch (action) {
          case 'DescribeStacks':
            requireStack(params.get('StackName'));
            writeQueryResult(res, action, NAMESPACE, { Stacks: [stack()] });
            return;
          case 'ListStacks':
            writeQueryResult(res, action, NAMESPACE, {
              StackSummaries: [{ StackId: stackId, StackName: project.stackName, CreationTime: created, StackStatus: 'CREATE_COMPLETE' }],
            });
            return;
          case 'ListStackResources':
            requireStack(params.get('StackName'));
            writeQueryResult(res, action, NAMESPACE, {
              StackResourceSummaries: project.resources.map((r) => {
                const { StackName: _n, StackId: _i, Timestamp: _t, ...summary } = resource(r);
                return summary;
              }),
            });
            return;
          case 'DescribeStackResources': {
            requireStack(params.get('StackName'));
            const logicalId = params.get('LogicalResourceId');
            const physicalId = params.get('PhysicalResourceId');
            const matching = project.resources.filter(
              (r) => (logicalId === undefined || r.logicalId === logicalId) && (physicalId === undefined || r.physicalId === physicalId),
            );
            writeQueryResult(res, action, NAMESPACE, { StackResources: matching.map(resource) });
            return;
          }
          case 'DescribeStackResource': {
            requireStack(params.get('StackName'));
            const found = project.resources.find((r) => r.logicalId === params.get('LogicalResourceId'));
            if (found === undefined) {
              throw new AwsServiceError('ValidationError', `Resource ${params.get('LogicalResourceId') ?? ''} does not exist for stack ${project.stackName}`, 400);
            }
            writeQueryResult(res, action, NAMESPACE, { StackResourceDetail: resource(found) });
            return;
          }
          case 'GetTemplate':
            requireStack(params.get('StackName'));
            writeQueryResult(res, action, NAMESPACE, { TemplateBody: readFileSync(project.file, 'utf8'), StagesAvailable: ['Original', 'Processed'] });
            return;
        }
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        writeQueryError(res, error);
      }
    },
    async close() {},
  };
}

/** A stable stack ARN: the same template under the same stack name keeps its id across restarts. */
function stackArn(project: Project): string {
  const hex = createHash('sha256').update(`${project.stackName}:${project.file}`).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `arn:aws:cloudformation:${project.region}:${project.accountId}:stack/${project.stackName}/${uuid}`;
}
