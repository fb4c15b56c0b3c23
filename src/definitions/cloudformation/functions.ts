/**
 * Lambda functions of a template with their local code (CloudFormation "AWS::Lambda::Function", AWS SAM
 * "AWS::Serverless::Function": Timeout default 3 s, MemorySize default 128 MB; CDK assets named by the
 * `aws:asset:path` metadata, relative to the template in `cdk.out`).
 */
import path from 'node:path';
import type { FunctionDefinition, TemplateResource } from '../model.js';
import { isRecord, scalarString, type Fields } from '../values.js';
import type { TemplateContext } from './context.js';

const LAYER_TYPES = ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'];

/** The local folder of a layer given by ARN, when the layer is a resource of this template. */
function layerFolder(ctx: TemplateContext, arn: string): string | undefined {
  const layer = ctx.byPhysicalId(arn, ...LAYER_TYPES);
  if (!layer) return undefined;
  const content = layer.type === 'AWS::Serverless::LayerVersion' ? layer.properties['ContentUri'] : layer.properties['Content'];
  const asset = scalarString(ctx.template.resources.get(layer.logicalId)?.metadata['aws:asset:path']);
  return asset !== undefined ? path.resolve(ctx.dir, asset) : ctx.codePath(content);
}

/** Code location: SAM `CodeUri` / `InlineCode`, Lambda `Code` (ZipFile, a packaged local path, or a CDK asset). */
function code(ctx: TemplateContext, r: TemplateResource, f: Fields, sam: boolean): Pick<FunctionDefinition, 'codeDir' | 'inlineCode'> {
  const metadata = ctx.template.resources.get(r.logicalId)?.metadata ?? {};
  const asset = scalarString(metadata['aws:asset:path']);
  if (sam) {
    const inline = f.str('InlineCode');
    if (inline !== undefined) return { inlineCode: inline };
    if (f.str('PackageType') === 'Image') return {};
    const local = ctx.codePath(f.raw('CodeUri') ?? '.');
    return local ? { codeDir: local } : {};
  }
  const codeValue = f.raw('Code');
  if (isRecord(codeValue) && typeof codeValue['ZipFile'] === 'string') return { inlineCode: codeValue['ZipFile'] };
  const local = asset !== undefined ? path.resolve(ctx.dir, asset) : ctx.codePath(codeValue);
  return local ? { codeDir: local } : {};
}

function environment(f: Fields): Record<string, string> {
  const variables = f.fields('Environment')?.record('Variables') ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) out[key] = scalarString(value) ?? JSON.stringify(value);
  return out;
}

export function buildFunction(ctx: TemplateContext, r: TemplateResource): FunctionDefinition {
  const sam = r.type === 'AWS::Serverless::Function';
  const f = ctx.props(r);
  const image = f.str('PackageType') === 'Image';
  const source = code(ctx, r, f, sam);
  // Runtime and Handler are required for .zip packages (CreateFunction API reference).
  const runtime = image ? (f.str('Runtime') ?? '') : (f.str('Runtime', true) ?? '');
  const handler = image ? (f.str('Handler') ?? '') : (f.str('Handler', true) ?? '');
  const layers = f.strList('Layers').map((arn) => layerFolder(ctx, arn)).filter((d): d is string => d !== undefined);
  const reserved = f.int('ReservedConcurrentExecutions', 0);
  const metadata = ctx.template.resources.get(r.logicalId)?.metadata ?? {};
  const architectures = f.strList('Architectures');
  return {
    logicalId: r.logicalId,
    name: r.physicalId,
    arn: String(r.attributes['Arn']),
    runtime,
    handler,
    ...source,
    environment: environment(f),
    timeout: f.int('Timeout', 1, 900) ?? 3,
    memorySize: f.int('MemorySize', 128, 10240) ?? 128,
    ...(reserved !== undefined && { reservedConcurrency: reserved }),
    layers,
    architectures: architectures.length > 0 ? architectures : ['x86_64'],
    metadata,
    source: r.source,
  };
}

export function buildFunctions(ctx: TemplateContext): FunctionDefinition[] {
  return ctx.ofType('AWS::Serverless::Function', 'AWS::Lambda::Function').map((r) => buildFunction(ctx, r));
}
