/**
 * The database servers a template declares: each `AWS::RDS::DBCluster` and each `AWS::RDS::DBInstance`
 * outside a cluster, with the master credentials, the database to create and the migrations to run.
 * Only the PostgreSQL engines are served; anything else fails at start naming the property.
 * CloudFormation: AWS::RDS::DBCluster / DBInstance (Engine, MasterUsername, MasterUserPassword,
 * ManageMasterUserPassword, DatabaseName, EnableHttpEndpoint).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Project, TemplateResource } from '../../definitions/model.js';
import { DefinitionError, type Problem } from '../../definitions/errors.js';
import { DB_CLUSTER, DB_INSTANCE } from '../../definitions/cloudformation/rds.js';

export const SUPPORTED_ENGINES = ['postgres', 'aurora-postgresql'];

export interface DatabaseServer {
  logicalId: string;
  type: typeof DB_CLUSTER | typeof DB_INSTANCE;
  /** DBClusterIdentifier / DBInstanceIdentifier. */
  identifier: string;
  arn: string;
  engine: string;
  port: number;
  masterUsername: string;
  masterPassword: string;
  databaseName?: string;
  /** SQL files run once each, in order (`Metadata: {Gatehouse: {Migrations: [...]}}`). */
  migrations: string[];
  /** The RDS Data API is enabled (`EnableHttpEndpoint`). */
  httpEndpoint: boolean;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);
const truthy = (value: unknown): boolean => value === true || value === 'true';

export function databaseServers(project: Project): DatabaseServer[] {
  const problems: Problem[] = [];
  const servers: DatabaseServer[] = [];
  for (const resource of project.resources) {
    if (resource.type !== DB_CLUSTER && resource.type !== DB_INSTANCE) continue;
    const p = resource.properties;
    const problem = (key: string, message: string) => problems.push({ file: resource.source.file, pointer: `${resource.source.pointer}/Properties${key === '' ? '' : `/${key}`}`, message });
    const engine = text(p['Engine']) ?? '';
    if (!SUPPORTED_ENGINES.includes(engine)) {
      problem('Engine', `${resource.logicalId}: engine ${JSON.stringify(engine)} is not served by gatehouse; supported: ${SUPPORTED_ENGINES.join(', ')} (embedded PostgreSQL, or --postgres-url)`);
      continue;
    }
    if (resource.type === DB_INSTANCE && p['DBClusterIdentifier'] !== undefined) continue; // served by its cluster
    const masterUsername = text(p['MasterUsername']);
    const masterPassword = text(p['MasterUserPassword']);
    if (masterUsername === undefined) problem('', `${resource.logicalId}: MasterUsername is required`);
    if (masterPassword === undefined) problem('', `${resource.logicalId}: MasterUserPassword or ManageMasterUserPassword is required`);
    const migrations = migrationFiles(project, resource, problems);
    if (masterUsername === undefined || masterPassword === undefined) continue;
    const databaseName = text(p['DatabaseName'] ?? p['DBName']);
    servers.push({
      logicalId: resource.logicalId,
      type: resource.type,
      identifier: resource.physicalId,
      arn: String(resource.attributes[resource.type === DB_CLUSTER ? 'DBClusterArn' : 'DBInstanceArn']),
      engine,
      port: Number(resource.attributes['Endpoint.Port']),
      masterUsername,
      masterPassword,
      ...(databaseName !== undefined && { databaseName }),
      migrations,
      httpEndpoint: truthy(p['EnableHttpEndpoint']),
    });
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  return servers;
}

function migrationFiles(project: Project, resource: TemplateResource, problems: Problem[]): string[] {
  const gatehouse = resource.metadata?.['Gatehouse'] as Record<string, unknown> | undefined;
  const list = gatehouse?.['Migrations'];
  if (list === undefined) return [];
  const pointer = `${resource.source.pointer}/Metadata/Gatehouse/Migrations`;
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) {
    problems.push({ file: resource.source.file, pointer, message: 'Migrations must be a list of SQL file paths (relative to the template)' });
    return [];
  }
  return (list as string[]).map((file, i) => {
    const absolute = path.resolve(path.dirname(project.file), file);
    if (!existsSync(absolute)) problems.push({ file: resource.source.file, pointer: `${pointer}/${i}`, message: `migration file ${absolute} does not exist` });
    return absolute;
  });
}
