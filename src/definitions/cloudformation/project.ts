/**
 * A CloudFormation / SAM template -> `Project`: the SAM transform's Globals and implicit resources, every resource
 * resolved, then APIs, functions, VPC links, domains and outputs (CloudFormation User Guide "Template anatomy",
 * AWS SAM Developer Guide "How AWS SAM processes templates").
 */
import type { Api, Project } from '../model.js';
import { at, type Problems } from '../errors.js';
import { hashUuid } from '../ids.js';
import type { SourceDocument } from '../source.js';
import { Fields, scalarString, type JsonObject } from '../values.js';
import { buildSamApis } from '../sam/index.js';
import { applyGlobals } from '../sam/globals.js';
import { addImplicitResources } from '../sam/implicit.js';
import { TemplateContext } from './context.js';
import { buildFunctions } from './functions.js';
import { attachHttpResources, createHttpApi } from './http-api.js';
import { Resolver } from './intrinsics.js';
import { buildDomains, buildVpcLinks } from './network.js';
import { attachRestResources, createRestApi } from './rest-api.js';
import { Template, type DatabaseEndpoints, type StackEnv } from './template.js';

export interface TemplateOptions {
  stackName: string;
  region: string;
  accountId: string;
  awsEndpoint?: string;
  databases?: DatabaseEndpoints;
  parameterOverrides: Record<string, string>;
  /** Stage of a REST API that declares none. */
  defaultStage: string;
}

/** Partition and URL suffix follow the region (China and GovCloud regions differ). */
export function stackEnv(options: TemplateOptions): StackEnv {
  const partition = options.region.startsWith('cn-') ? 'aws-cn' : options.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return {
    stackName: options.stackName,
    region: options.region,
    accountId: options.accountId,
    partition,
    urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    stackId: `arn:${partition}:cloudformation:${options.region}:${options.accountId}:stack/${options.stackName}/${hashUuid('stack', options.stackName)}`,
    ...(options.awsEndpoint && { awsEndpoint: options.awsEndpoint.replace(/\/+$/, '') }),
    ...(options.databases && { databases: options.databases }),
  };
}

function outputs(template: Template, resolver: Resolver, problems: Problems): Project['outputs'] {
  const out: Project['outputs'] = {};
  for (const [name, spec] of Object.entries(template.outputs)) {
    const f = Fields.of(spec, at(template.root, 'Outputs', name), problems);
    if (!f) continue;
    const condition = f.str('Condition');
    if (condition !== undefined && !resolver.condition(condition, f.at('Condition'))) continue;
    if (!f.has('Value')) f.missing('Value');
    const value = resolver.resolve(f.raw('Value'), f.at('Value'));
    const description = scalarString(resolver.resolve(f.raw('Description'), f.at('Description')));
    const exportName = scalarString(resolver.resolve(f.fields('Export')?.raw('Name'), at(f.loc, 'Export', 'Name')));
    out[name] = { value, ...(description !== undefined && { description }), ...(exportName !== undefined && { exportName }) };
  }
  return out;
}

export async function loadTemplate(source: SourceDocument, options: TemplateOptions, problems: Problems, sources: Map<string, SourceDocument>): Promise<Project> {
  const template = new Template(source.file, source.value as JsonObject, stackEnv(options), problems, options.parameterOverrides);
  if (template.isSam) {
    applyGlobals(template);
    addImplicitResources(template);
  }
  template.checkDependsOn();
  const resolver = new Resolver(template, problems);
  const ctx = new TemplateContext(template, resolver, problems, options.defaultStage, sources);
  for (const raw of template.resources.values()) {
    if (!resolver.isCreated(raw.logicalId)) continue;
    ctx.add({
      logicalId: raw.logicalId,
      type: raw.type,
      properties: resolver.properties(raw.logicalId),
      physicalId: resolver.ref(raw.logicalId),
      attributes: resolver.attributes(raw.logicalId),
      metadata: raw.metadata,
      source: raw.loc,
    });
  }

  for (const r of ctx.ofType('AWS::ApiGateway::RestApi')) await createRestApi(ctx, r);
  for (const r of ctx.ofType('AWS::ApiGatewayV2::Api')) await createHttpApi(ctx, r);
  if (template.isSam) await buildSamApis(ctx);
  attachRestResources(ctx);
  attachHttpResources(ctx);

  const apis: Api[] = [...ctx.apis.values()].map((builder) => {
    // A REST API without any stage (no Deployment/Stage) still gets one to be served at; an HTTP API gets `$default`.
    if (builder.api.stages.length === 0) builder.stage(builder.api.protocol === 'REST' ? ctx.defaultStage : '$default');
    return builder.finish();
  });
  buildDomains(ctx);
  const parameters: Record<string, string> = {};
  for (const [name, value] of template.parameters) parameters[name] = value.text;
  return {
    file: source.file,
    stackName: options.stackName,
    region: options.region,
    accountId: options.accountId,
    apis,
    functions: buildFunctions(ctx),
    vpcLinks: buildVpcLinks(ctx, apis),
    domains: ctx.domains,
    resources: ctx.resources,
    outputs: outputs(template, resolver, problems),
    parameters,
  };
}
