/** State shared by the builders that turn one resolved template into the model (one per resource family). */
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { CustomDomain, TemplateResource } from '../model.js';
import { at, type Loc, type Problems } from '../errors.js';
import type { ApiBuilder } from '../apigateway/api-builder.js';
import { readSource, type SourceDocument } from '../source.js';
import { Fields, isRecord, scalarString } from '../values.js';
import type { Resolver } from './intrinsics.js';
import type { Template } from './template.js';

const IMPLICIT_GLOBALS: Record<string, string> = { 'AWS::Serverless::Api': 'Api', 'AWS::Serverless::HttpApi': 'HttpApi' };

export class TemplateContext {
  readonly resources: TemplateResource[] = [];
  readonly byLogicalId = new Map<string, TemplateResource>();
  /** APIs by id, so sub-resources (`RestApiId: !Ref Api`) find theirs. */
  readonly apis = new Map<string, ApiBuilder>();
  /** WebSocket APIs: not served, and their routes (`$connect`...) are not checked. */
  readonly ignoredApis = new Set<string>();
  readonly domains: CustomDomain[] = [];
  readonly dir: string;

  constructor(
    readonly template: Template,
    readonly resolver: Resolver,
    readonly problems: Problems,
    /** Stage given to a REST API that declares none. */
    readonly defaultStage: string,
    /** Other files read (DefinitionUri, BodyS3Location), for error positions. */
    readonly sources: Map<string, SourceDocument>,
  ) {
    this.dir = path.dirname(template.file);
  }

  add(resource: TemplateResource): void {
    this.resources.push(resource);
    this.byLogicalId.set(resource.logicalId, resource);
  }

  ofType(...types: string[]): TemplateResource[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /**
   * The resolved properties of a resource, read with pointers into the template. The implicit SAM APIs have no
   * place in the file: their properties are the Globals section's.
   */
  props(resource: TemplateResource): Fields {
    const section = IMPLICIT_GLOBALS[resource.type];
    const loc = section && this.template.resources.get(resource.logicalId)?.implicit ? at(this.template.root, 'Globals', section) : at(resource.source, 'Properties');
    return new Fields(resource.properties, loc, this.problems);
  }

  byPhysicalId(id: string, ...types: string[]): TemplateResource | undefined {
    return this.resources.find((r) => r.physicalId === id && (types.length === 0 || types.includes(r.type)));
  }

  /** The API a sub-resource belongs to (`RestApiId` / `ApiId`), reporting an id that is not in the template. */
  apiOf(f: Fields, key: string): ApiBuilder | undefined {
    const id = f.str(key, true);
    if (id === undefined || this.ignoredApis.has(id)) return undefined;
    const api = this.apis.get(id);
    if (!api) f.problems.add(f.at(key), `${key} ${JSON.stringify(id)} is not an API of this template`);
    return api;
  }

  /** Follows an id property (`AuthorizerId`, `RequestValidatorId`) to the name the model uses for that object. */
  nameOf(f: Fields, key: string, names: Map<string, string>, what: string): string | undefined {
    const id = f.str(key);
    if (id === undefined) return undefined;
    const name = names.get(id);
    if (name === undefined) f.problems.add(f.at(key), `${key} ${JSON.stringify(id)} is not ${what} of this template`);
    return name;
  }

  /** A method's / route's `AuthorizationType` and the authorizer it names, which the custom types require. */
  authorization<T extends string>(f: Fields, types: readonly T[], needAuthorizer: readonly T[], names: Map<string, string>): { type: T; authorizerName?: string } {
    const type = f.oneOf('AuthorizationType', types) ?? ('NONE' as T);
    const authorizerName = this.nameOf(f, 'AuthorizerId', names, 'an authorizer');
    if (needAuthorizer.includes(type) && !f.has('AuthorizerId')) f.missing('AuthorizerId', `AuthorizerId is required when AuthorizationType is ${type}`);
    return { type, ...(authorizerName && { authorizerName }) };
  }

  /**
   * A local file named by a template property: a path string (SAM `DefinitionUri`, CodeUri) or an S3 location
   * `{Bucket, Key}` whose Key (or Bucket/Key) exists next to the template, which is where packaging tools keep it.
   */
  localPath(value: unknown): string | undefined {
    const candidates: string[] = [];
    const text = scalarString(value);
    if (text !== undefined) {
      const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(text);
      candidates.push(...(s3 ? [s3[2]!, `${s3[1]}/${s3[2]}`] : [text]));
    } else if (isRecord(value)) {
      const bucket = scalarString(value['Bucket'] ?? value['S3Bucket']);
      const key = scalarString(value['Key'] ?? value['S3Key']);
      if (key !== undefined) candidates.push(key, ...(bucket ? [`${bucket}/${key}`] : []));
    }
    return candidates.map((c) => path.resolve(this.dir, c)).find((p) => existsSync(p));
  }

  /**
   * A code folder (SAM `CodeUri`, `ContentUri`; a packaged Lambda `Code` path): a plain path is taken relative to
   * the template even before it is built; an S3 location only when its key exists locally.
   */
  codePath(value: unknown): string | undefined {
    if (typeof value === 'string' && !value.startsWith('s3://')) return path.resolve(this.dir, value);
    return this.localPath(value);
  }

  /** Reads an OpenAPI file referenced by the template (`BodyS3Location`, `DefinitionUri`). */
  async readDocument(value: unknown, loc: Loc): Promise<SourceDocument | undefined> {
    const file = this.localPath(value);
    if (!file) {
      this.problems.add(loc, `cannot find the referenced file ${JSON.stringify(value)} next to the template`);
      return undefined;
    }
    const doc = await readSource(file, this.problems, loc);
    if (doc) this.sources.set(file, doc);
    return doc;
  }
}
