/**
 * Loads a definition people already have — an API Gateway OpenAPI 3.0 / Swagger 2.0 export, a SAM or
 * CloudFormation template (JSON or YAML) — into the one internal model, or throws a `DefinitionError` listing
 * every problem by file and JSON pointer (API Gateway Developer Guide "Working with API Gateway extensions to
 * OpenAPI"; CloudFormation User Guide "Template anatomy").
 */
import path from 'node:path';
import type { Project } from './model.js';
import { DefinitionError, Problems, type Problem } from './errors.js';
import { apiId } from './ids.js';
import { loadOpenApi, openApiVersion } from './openapi/index.js';
import { readSource, type SourceDocument } from './source.js';
import { isRecord, scalarString } from './values.js';
import { loadTemplate } from './cloudformation/project.js';
import type { DatabaseEndpoints } from './cloudformation/template.js';

export { DefinitionError, type Problem } from './errors.js';
export { registerResourceType, type ResourceType, type ResourceView } from './cloudformation/resource-types.js';
export type * from './model.js';

export interface LoadOptions {
  /** OpenAPI input: the REST stage name (default 'dev'); also the stage of a template REST API that declares none. */
  stage?: string;
  /** CloudFormation Parameters. */
  parameterOverrides?: Record<string, string>;
  /** Default: the file name without extension (and without CDK's `.template`). */
  stackName?: string;
  /** Default 'us-east-1'. */
  region?: string;
  /** Default '000000000000'. */
  accountId?: string;
  /** e.g. 'http://127.0.0.1:4566': queue URLs and other endpoints point there. */
  awsEndpoint?: string;
  /** Where the template's databases are served (embedded PostgreSQL or `--postgres-url`). */
  databases?: DatabaseEndpoints;
}

type Format = 'openapi' | 'template';

function detectFormat(value: unknown): Format | undefined {
  if (!isRecord(value)) return undefined;
  if (openApiVersion(value) || 'openapi' in value || 'swagger' in value) return 'openapi';
  if ('Resources' in value || 'AWSTemplateFormatVersion' in value || 'Transform' in value) return 'template';
  return undefined;
}

/** `MyStack.template.json` (cdk synth) -> `MyStack`; anything CloudFormation would refuse becomes `-`. */
function defaultStackName(file: string): string {
  const name = path.basename(file).replace(/\.(json|ya?ml|template)$/i, '').replace(/\.template$/i, '');
  const clean = name.replace(/[^A-Za-z0-9-]/g, '-');
  return /^[A-Za-z]/.test(clean) ? clean : `stack-${clean}`;
}

async function withPositions(problems: Problem[], sources: Map<string, SourceDocument>): Promise<Problem[]> {
  return Promise.all(
    problems.map(async (p) => {
      if (p.line !== undefined) return p;
      const position = await sources.get(p.file)?.locate(p.pointer);
      return position ? { ...p, ...position } : p;
    }),
  );
}

function bareOpenApi(source: SourceDocument, options: LoadOptions, problems: Problems): Project {
  const doc = source.value;
  const title = isRecord(doc) && isRecord(doc['info']) ? scalarString(doc['info']['title']) : undefined;
  const builder = loadOpenApi({
    doc,
    loc: { file: source.file, pointer: '' },
    problems,
    // Stable across restarts: the id follows the API's title (or the file name).
    id: apiId('openapi', title ?? path.basename(source.file)),
  });
  if (builder) builder.stage(builder.api.protocol === 'REST' ? (options.stage ?? 'dev') : '$default');
  return {
    file: source.file,
    stackName: options.stackName ?? defaultStackName(source.file),
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    apis: builder ? [builder.finish()] : [],
    functions: [],
    vpcLinks: [],
    domains: [],
    resources: [],
    outputs: {},
    parameters: {},
  };
}

export async function loadDefinition(file: string, options: LoadOptions = {}): Promise<Project> {
  const absolute = path.resolve(file);
  const problems = new Problems();
  const sources = new Map<string, SourceDocument>();
  const source = await readSource(absolute, problems);
  let project: Project | undefined;
  if (source) {
    sources.set(absolute, source);
    const format = detectFormat(source.value);
    if (format === 'openapi') {
      project = bareOpenApi(source, options, problems);
    } else if (format === 'template') {
      project = await loadTemplate(
        source,
        {
          stackName: options.stackName ?? defaultStackName(absolute),
          region: options.region ?? 'us-east-1',
          accountId: options.accountId ?? '000000000000',
          ...(options.awsEndpoint && { awsEndpoint: options.awsEndpoint }),
          ...(options.databases && { databases: options.databases }),
          parameterOverrides: options.parameterOverrides ?? {},
          defaultStage: options.stage ?? 'dev',
        },
        problems,
        sources,
      );
    } else {
      problems.add(
        { file: absolute, pointer: '' },
        "not a definition gatehouse knows: expected OpenAPI (`openapi: 3.0.x` / `swagger: '2.0'`) or a CloudFormation / SAM template (`Resources`)",
      );
    }
  }
  if (problems.size > 0 || !project) throw new DefinitionError(await withPositions(problems.list, sources));
  return project;
}
