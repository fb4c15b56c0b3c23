/**
 * `Ref` / `Fn::GetAtt` of RDS clusters and instances and of Secrets Manager secrets (CloudFormation Template
 * Reference: AWS::RDS::DBCluster, AWS::RDS::DBInstance, AWS::SecretsManager::Secret, ::SecretTargetAttachment,
 * "Return values"). A database server is a DB cluster or an instance outside any cluster; instances of a
 * cluster share its server. Servers are numbered in template order and listen where `StackEnv.databases`
 * says (the embedded PostgreSQL's ports, or `--postgres-url`).
 */
import { hashUuid, MIXED_ALNUM, UPPER_ALNUM } from '../ids.js';
import { scalarString } from '../values.js';
import type { ResourceType, ResourceView } from './resource-types.js';

export const DB_CLUSTER = 'AWS::RDS::DBCluster';
export const DB_INSTANCE = 'AWS::RDS::DBInstance';

const arn = (r: ResourceView, service: string, resource: string): string => `arn:${r.env.partition}:${service}:${r.env.region}:${r.env.accountId}:${resource}`;
const str = (r: ResourceView, key: string): string | undefined => scalarString(r.prop(key));

/** A secret's ARN: its name plus the 6 random characters Secrets Manager appends. */
export const secretArn = (r: ResourceView, name: string): string => arn(r, 'secretsmanager', `secret:${name}-${r.id('secret', 6, MIXED_ALNUM)}`);

/** True for the resources that run a server of their own. */
export function isDatabaseServer(r: { type: string; prop(key: string): unknown }): boolean {
  return r.type === DB_CLUSTER || (r.type === DB_INSTANCE && r.prop('DBClusterIdentifier') === undefined);
}

/** The cluster an instance belongs to, or the instance itself. */
function serverOf(r: ResourceView): ResourceView {
  const cluster = str(r, 'DBClusterIdentifier');
  if (r.type !== DB_INSTANCE || cluster === undefined) return r;
  return r.others().find((o) => o.type === DB_CLUSTER && (o.name() === cluster.toLowerCase() || o.ref() === cluster)) ?? r;
}

/** Databases are served on this host, whether or not a server is running (`validate`, `routes`). */
function address(r: ResourceView): string {
  return r.env.databases?.address ?? '127.0.0.1';
}

function port(r: ResourceView): string {
  const server = serverOf(r);
  if (r.env.databases === undefined) return str(server, 'Port') ?? '5432';
  const index = r.others().filter(isDatabaseServer).findIndex((o) => o.logicalId === server.logicalId);
  return String(r.env.databases.port(Math.max(index, 0)));
}

/** `ManageMasterUserPassword`: RDS keeps the master credentials in a secret named `rds!cluster-<id>` / `rds!db-<id>`. */
export function managedSecretName(r: ResourceView): string {
  return `rds!${r.type === DB_CLUSTER ? 'cluster' : 'db'}-${hashUuid(r.env.stackName, r.logicalId)}`;
}

const masterSecret = (r: ResourceView): string | undefined =>
  r.prop('ManageMasterUserPassword') === true || r.prop('ManageMasterUserPassword') === 'true' ? secretArn(r, managedSecretName(r)) : undefined;

const databaseName = (nameProperty: string, maxLength: number) => ({ nameProperty, nameMaxLength: maxLength, lowerCaseName: true });

export const RDS_RESOURCE_TYPES: Record<string, ResourceType> = {
  [DB_INSTANCE]: {
    ...databaseName('DBInstanceIdentifier', 63),
    ref: (r) => r.name(),
    attributes: {
      'Endpoint.Address': address,
      'Endpoint.Port': port,
      DBInstanceArn: (r) => arn(r, 'rds', `db:${r.name()}`),
      DbiResourceId: (r) => `db-${r.id('dbi', 26, UPPER_ALNUM)}`,
      'MasterUserSecret.SecretArn': masterSecret,
    },
  },
  [DB_CLUSTER]: {
    ...databaseName('DBClusterIdentifier', 63),
    ref: (r) => r.name(),
    attributes: {
      'Endpoint.Address': address,
      'Endpoint.Port': port,
      'ReadEndpoint.Address': address,
      DBClusterArn: (r) => arn(r, 'rds', `cluster:${r.name()}`),
      DBClusterResourceId: (r) => `cluster-${r.id('cluster', 26, UPPER_ALNUM)}`,
      'MasterUserSecret.SecretArn': masterSecret,
    },
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    nameMaxLength: 512,
    ref: (r) => secretArn(r, r.name()),
    attributes: { Id: (r) => r.ref() },
  },
  'AWS::SecretsManager::SecretTargetAttachment': { ref: (r) => str(r, 'SecretId') ?? r.logicalId, attributes: {} },
};
