/**
 * What `Ref` and `Fn::GetAtt` return for each resource type (CloudFormation Template Reference, "Return values"
 * section of each resource page). Values are deterministic so a restart serves the same names, ARNs and URLs.
 * Extend with `registerResourceType`; unknown types `Ref` to their logical id and have no known attributes.
 */
import { generatedName, hashUuid, HEX, LOWER_ALNUM, MIXED_ALNUM, UPPER_ALNUM } from '../ids.js';
import { scalarString } from '../values.js';
import type { StackEnv } from './template.js';
import { RDS_RESOURCE_TYPES } from './rds.js';

/** One resource as the registry sees it; every accessor is lazy so that only what is asked is resolved. */
export interface ResourceView {
  readonly logicalId: string;
  readonly type: string;
  readonly env: StackEnv;
  /** A property with its intrinsics resolved (undefined when absent). */
  prop(key: string): unknown;
  /** The declared name property, else a generated name. */
  name(): string;
  /** What `Ref` returns. */
  ref(): string;
  /** A deterministic id of this resource: `kind` separates ids of different purposes. */
  id(kind: string, length: number, alphabet?: string): string;
  /** Every created resource of the template in file order (database servers are numbered among their kind). */
  others(): ResourceView[];
}

export interface ResourceType {
  /** Property holding the physical name (FunctionName, TableName...). */
  nameProperty?: string;
  nameMaxLength?: number;
  lowerCaseName?: boolean;
  /** Suffix CloudFormation adds to generated names (`.fifo`). */
  nameSuffix?: (r: ResourceView) => string;
  /** Replaces the `${stack}-${logicalId}-${random}` name when the service restricts names. */
  generateName?: (r: ResourceView) => string;
  ref(r: ResourceView): string;
  attributes: Record<string, (r: ResourceView) => unknown>;
}

const arn = (r: ResourceView, service: string, resource: string, regional = true, account = true): string =>
  `arn:${r.env.partition}:${service}:${regional ? r.env.region : ''}:${account ? r.env.accountId : ''}:${resource}`;

const str = (r: ResourceView, key: string): string | undefined => scalarString(r.prop(key));

/** API Gateway object ids: lowercase alphanumerics. */
const gatewayId = (length: number) => (r: ResourceView) => r.id('gateway', length);

function named(nameProperty: string, maxLength: number, extra: Partial<ResourceType> & Pick<ResourceType, 'ref' | 'attributes'>): ResourceType {
  return { nameProperty, nameMaxLength: maxLength, ...extra };
}

const lambdaArn = (r: ResourceView): string => arn(r, 'lambda', `function:${r.name()}`);

/** A function given by name or ARN (Lambda::Version / Alias `FunctionName`, Lambda::Url `TargetFunctionArn`). */
function functionArnOf(r: ResourceView, key = 'FunctionName'): string {
  const fn = str(r, key) ?? '';
  return fn.startsWith('arn:') ? fn : arn(r, 'lambda', `function:${fn}`);
}

const lambdaFunction = named('FunctionName', 64, { ref: (r) => r.name(), attributes: { Arn: lambdaArn } });
const layerVersion = named('LayerName', 140, {
  ref: (r) => arn(r, 'lambda', `layer:${r.name()}:1`),
  attributes: { LayerVersionArn: (r) => r.ref() },
});
const restApi: ResourceType = {
  ref: gatewayId(10),
  attributes: { RootResourceId: (r) => r.id('root', 10) },
};
const httpApi: ResourceType = {
  ref: gatewayId(10),
  attributes: {
    ApiId: (r) => r.ref(),
    ApiEndpoint: (r) => `https://${r.ref()}.execute-api.${r.env.region}.${r.env.urlSuffix}`,
  },
};
const dynamoTable = named('TableName', 255, {
  ref: (r) => r.name(),
  attributes: {
    Arn: (r) => arn(r, 'dynamodb', `table/${r.name()}`),
    StreamArn: (r) => arn(r, 'dynamodb', `table/${r.name()}/stream/1970-01-01T00:00:00.000`),
  },
});
const stateMachineArn = (r: ResourceView): string => arn(r, 'states', `stateMachine:${r.name()}`);
const stateMachine = (nameProperty: string): ResourceType =>
  named(nameProperty, 80, { ref: stateMachineArn, attributes: { Arn: stateMachineArn, Name: (r) => r.name(), StateMachineRevisionId: (r) => r.ref() } });
const ec2Id = (prefix: string) => (r: ResourceView) => `${prefix}-${r.id('ec2', 17, HEX)}`;
const gatewayObject = (attribute: string, length = 10): ResourceType => ({ ref: gatewayId(length), attributes: { [attribute]: (r) => r.ref() } });
const byProperty = (key: string, attributes: ResourceType['attributes'] = {}): ResourceType => ({ ref: (r) => str(r, key) ?? r.logicalId, attributes });

const iamArn = (kind: string) => (r: ResourceView) => arn(r, 'iam', `${kind}${str(r, 'Path') ?? '/'}${r.name()}`, false);

const builtIn: Record<string, ResourceType> = {
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Serverless::Function': lambdaFunction,
  'AWS::Lambda::Permission': { ref: (r) => r.name(), attributes: {} },
  'AWS::Lambda::LayerVersion': layerVersion,
  'AWS::Serverless::LayerVersion': layerVersion,
  'AWS::Lambda::Version': { ref: (r) => `${functionArnOf(r)}:1`, attributes: { Version: () => '1', FunctionArn: (r) => functionArnOf(r) } },
  'AWS::Lambda::Alias': { ref: (r) => `${functionArnOf(r)}:${str(r, 'Name') ?? ''}`, attributes: { AliasArn: (r) => r.ref() } },
  'AWS::Lambda::EventSourceMapping': { ref: (r) => hashUuid(r.env.stackName, r.logicalId), attributes: { Id: (r) => r.ref() } },
  'AWS::Lambda::Url': {
    ref: (r) => functionArnOf(r, 'TargetFunctionArn'),
    attributes: {
      FunctionArn: (r) => r.ref(),
      FunctionUrl: (r) => `https://${r.id('url', 32)}.lambda-url.${r.env.region}.on.aws/`,
    },
  },
  'AWS::IAM::Role': named('RoleName', 64, { ref: (r) => r.name(), attributes: { Arn: iamArn('role'), RoleId: (r) => `AROA${r.id('iam', 17, UPPER_ALNUM)}` } }),
  'AWS::IAM::User': named('UserName', 64, { ref: (r) => r.name(), attributes: { Arn: iamArn('user') } }),
  'AWS::IAM::Group': named('GroupName', 128, { ref: (r) => r.name(), attributes: { Arn: iamArn('group') } }),
  'AWS::IAM::ManagedPolicy': named('ManagedPolicyName', 128, { ref: iamArn('policy'), attributes: { PolicyArn: (r) => r.ref() } }),
  'AWS::IAM::InstanceProfile': named('InstanceProfileName', 128, { ref: (r) => r.name(), attributes: { Arn: iamArn('instance-profile') } }),
  'AWS::IAM::AccessKey': {
    ref: (r) => `AKIA${r.id('access-key', 16, UPPER_ALNUM)}`,
    attributes: { SecretAccessKey: (r) => r.id('secret-key', 40, MIXED_ALNUM) },
  },
  'AWS::S3::Bucket': named('BucketName', 63, {
    lowerCaseName: true,
    ref: (r) => r.name(),
    attributes: {
      Arn: (r) => arn(r, 's3', r.name(), false, false),
      DomainName: (r) => `${r.name()}.s3.${r.env.urlSuffix}`,
      RegionalDomainName: (r) => `${r.name()}.s3.${r.env.region}.${r.env.urlSuffix}`,
      DualStackDomainName: (r) => `${r.name()}.s3.dualstack.${r.env.region}.${r.env.urlSuffix}`,
      WebsiteURL: (r) => `http://${r.name()}.s3-website-${r.env.region}.${r.env.urlSuffix}`,
    },
  }),
  'AWS::DynamoDB::Table': dynamoTable,
  'AWS::DynamoDB::GlobalTable': dynamoTable,
  'AWS::Serverless::SimpleTable': dynamoTable,
  'AWS::SQS::Queue': named('QueueName', 80, {
    nameSuffix: (r) => (r.prop('FifoQueue') === true || r.prop('FifoQueue') === 'true' ? '.fifo' : ''),
    // The queue URL points at the local AWS endpoint when there is one, so SDK calls reach it.
    ref: (r) => `${r.env.awsEndpoint ?? `https://sqs.${r.env.region}.${r.env.urlSuffix}`}/${r.env.accountId}/${r.name()}`,
    attributes: { Arn: (r) => arn(r, 'sqs', r.name()), QueueName: (r) => r.name(), QueueUrl: (r) => r.ref() },
  }),
  'AWS::SNS::Topic': named('TopicName', 256, {
    nameSuffix: (r) => (r.prop('FifoTopic') === true || r.prop('FifoTopic') === 'true' ? '.fifo' : ''),
    ref: (r) => arn(r, 'sns', r.name()),
    attributes: { TopicArn: (r) => r.ref(), TopicName: (r) => r.name() },
  }),
  'AWS::SNS::Subscription': { ref: (r) => `${str(r, 'TopicArn') ?? ''}:${hashUuid(r.env.stackName, r.logicalId)}`, attributes: { Arn: (r) => r.ref() } },
  'AWS::Kinesis::Stream': named('Name', 128, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'kinesis', `stream/${r.name()}`) } }),
  'AWS::KinesisFirehose::DeliveryStream': named('DeliveryStreamName', 64, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'firehose', `deliverystream/${r.name()}`) } }),
  'AWS::StepFunctions::StateMachine': stateMachine('StateMachineName'),
  'AWS::Serverless::StateMachine': stateMachine('Name'),
  'AWS::StepFunctions::Activity': named('Name', 80, { ref: (r) => arn(r, 'states', `activity:${r.name()}`), attributes: { Name: (r) => r.name() } }),
  'AWS::Events::Rule': named('Name', 64, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'events', `rule/${r.name()}`) } }),
  'AWS::Events::EventBus': named('Name', 256, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'events', `event-bus/${r.name()}`), Name: (r) => r.name() } }),
  'AWS::Logs::LogGroup': named('LogGroupName', 512, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'logs', `log-group:${r.name()}:*`) } }),
  'AWS::CloudWatch::Alarm': named('AlarmName', 255, { ref: (r) => r.name(), attributes: { Arn: (r) => arn(r, 'cloudwatch', `alarm:${r.name()}`) } }),
  'AWS::ECR::Repository': named('RepositoryName', 256, {
    lowerCaseName: true,
    ref: (r) => r.name(),
    attributes: {
      Arn: (r) => arn(r, 'ecr', `repository/${r.name()}`),
      RepositoryUri: (r) => `${r.env.accountId}.dkr.ecr.${r.env.region}.${r.env.urlSuffix}/${r.name()}`,
    },
  }),
  'AWS::Cognito::UserPool': {
    ref: (r) => `${r.env.region}_${r.id('user-pool', 9, MIXED_ALNUM)}`,
    attributes: {
      Arn: (r) => arn(r, 'cognito-idp', `userpool/${r.ref()}`),
      ProviderName: (r) => `cognito-idp.${r.env.region}.${r.env.urlSuffix}/${r.ref()}`,
      ProviderURL: (r) => `https://cognito-idp.${r.env.region}.${r.env.urlSuffix}/${r.ref()}`,
      UserPoolId: (r) => r.ref(),
    },
  },
  'AWS::Cognito::UserPoolClient': {
    ref: (r) => r.id('client', 26, LOWER_ALNUM),
    attributes: { ClientId: (r) => r.ref(), ClientSecret: (r) => r.id('client-secret', 51, LOWER_ALNUM), Name: (r) => str(r, 'ClientName') ?? r.logicalId },
  },
  'AWS::Cognito::UserPoolDomain': byProperty('Domain', { CloudFrontDistribution: (r) => `d${r.id('cf', 13)}.cloudfront.net` }),
  // Ref is the identifier, so `!Sub '${Server}/read'` names the scope in AllowedOAuthScopes.
  'AWS::Cognito::UserPoolResourceServer': byProperty('Identifier'),
  'AWS::Cognito::IdentityPool': { ref: (r) => `${r.env.region}:${hashUuid(r.env.stackName, r.logicalId)}`, attributes: { Name: (r) => str(r, 'IdentityPoolName') ?? r.logicalId } },
  ...RDS_RESOURCE_TYPES,
  'AWS::SSM::Parameter': named('Name', 2048, { ref: (r) => r.name(), attributes: { Type: (r) => str(r, 'Type'), Value: (r) => str(r, 'Value') } }),
  'AWS::KMS::Key': { ref: (r) => hashUuid(r.env.stackName, r.logicalId), attributes: { Arn: (r) => arn(r, 'kms', `key/${r.ref()}`), KeyId: (r) => r.ref() } },
  'AWS::KMS::Alias': byProperty('AliasName'),
  'AWS::ElasticLoadBalancingV2::LoadBalancer': named('Name', 32, {
    ref: (r) => arn(r, 'elasticloadbalancing', `loadbalancer/${str(r, 'Type') === 'network' ? 'net' : 'app'}/${r.name()}/${r.id('elb', 16, HEX)}`),
    attributes: {
      DNSName: (r) => `${r.name()}-${r.id('dns', 10, '0123456789')}.${r.env.region}.elb.${r.env.urlSuffix}`,
      LoadBalancerFullName: (r) => r.ref().split(':loadbalancer/')[1],
      LoadBalancerName: (r) => r.name(),
      LoadBalancerArn: (r) => r.ref(),
    },
  }),
  'AWS::ElasticLoadBalancingV2::TargetGroup': named('Name', 32, {
    ref: (r) => arn(r, 'elasticloadbalancing', `targetgroup/${r.name()}/${r.id('tg', 16, HEX)}`),
    attributes: {
      TargetGroupArn: (r) => r.ref(),
      TargetGroupName: (r) => r.name(),
      TargetGroupFullName: (r) => r.ref().split(':')[5],
      LoadBalancerArns: () => [],
    },
  }),
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: (r) => `${(str(r, 'LoadBalancerArn') ?? arn(r, 'elasticloadbalancing', 'loadbalancer/app/unknown/0')).replace(':loadbalancer/', ':listener/')}/${r.id('listener', 16, HEX)}`,
    attributes: { ListenerArn: (r) => r.ref() },
  },
  'AWS::EC2::VPC': { ref: ec2Id('vpc'), attributes: { VpcId: (r) => r.ref(), CidrBlock: (r) => str(r, 'CidrBlock'), DefaultSecurityGroup: ec2Id('sg') } },
  'AWS::EC2::Subnet': { ref: ec2Id('subnet'), attributes: { SubnetId: (r) => r.ref(), AvailabilityZone: (r) => str(r, 'AvailabilityZone') ?? `${r.env.region}a` } },
  'AWS::EC2::SecurityGroup': { ref: ec2Id('sg'), attributes: { GroupId: (r) => r.ref(), VpcId: (r) => str(r, 'VpcId') } },
  'AWS::ApiGateway::RestApi': restApi,
  'AWS::Serverless::Api': restApi,
  'AWS::ApiGateway::Resource': gatewayObject('ResourceId', 6),
  'AWS::ApiGateway::Method': { ref: gatewayId(6), attributes: {} },
  'AWS::ApiGateway::Deployment': gatewayObject('DeploymentId', 6),
  'AWS::ApiGateway::Stage': byProperty('StageName'),
  // API Gateway model names are alphanumeric, so the generated name has no dashes.
  'AWS::ApiGateway::Model': { nameProperty: 'Name', generateName: (r) => `${r.logicalId}${r.id('model', 10, UPPER_ALNUM)}`, ref: (r) => r.name(), attributes: {} },
  'AWS::ApiGateway::RequestValidator': gatewayObject('RequestValidatorId', 6),
  'AWS::ApiGateway::Authorizer': gatewayObject('AuthorizerId', 6),
  'AWS::ApiGateway::GatewayResponse': { ref: gatewayId(6), attributes: {} },
  'AWS::ApiGateway::ApiKey': gatewayObject('APIKeyId'),
  'AWS::ApiGateway::UsagePlan': gatewayObject('Id', 6),
  'AWS::ApiGateway::UsagePlanKey': gatewayObject('Id', 6),
  'AWS::ApiGateway::VpcLink': gatewayObject('VpcLinkId', 6),
  'AWS::ApiGateway::DomainName': byProperty('DomainName', {
    DistributionDomainName: (r) => `d${r.id('cf', 13)}.cloudfront.net`,
    DistributionHostedZoneId: () => 'Z2FDTNDATAQYW2',
    RegionalDomainName: (r) => `d-${r.id('regional', 10)}.execute-api.${r.env.region}.${r.env.urlSuffix}`,
    RegionalHostedZoneId: () => 'Z1UJRXOUMOOFQ8',
  }),
  'AWS::ApiGateway::BasePathMapping': { ref: gatewayId(6), attributes: {} },
  'AWS::ApiGatewayV2::Api': httpApi,
  'AWS::Serverless::HttpApi': httpApi,
  'AWS::ApiGatewayV2::Integration': gatewayObject('IntegrationId', 7),
  'AWS::ApiGatewayV2::Route': gatewayObject('RouteId', 7),
  'AWS::ApiGatewayV2::Stage': byProperty('StageName'),
  'AWS::ApiGatewayV2::Authorizer': gatewayObject('AuthorizerId', 6),
  'AWS::ApiGatewayV2::VpcLink': gatewayObject('VpcLinkId', 6),
  'AWS::ApiGatewayV2::Deployment': gatewayObject('DeploymentId', 6),
  'AWS::ApiGatewayV2::ApiMapping': { ref: gatewayId(6), attributes: {} },
  'AWS::ApiGatewayV2::DomainName': byProperty('DomainName', {
    RegionalDomainName: (r) => `d-${r.id('regional', 10)}.execute-api.${r.env.region}.${r.env.urlSuffix}`,
    RegionalHostedZoneId: () => 'Z1UJRXOUMOOFQ8',
  }),
};

const types = new Map<string, ResourceType>(Object.entries(builtIn));

export function resourceType(type: string): ResourceType | undefined {
  return types.get(type);
}

/** For later work (other services): adds or replaces a type's Ref / GetAtt behaviour. */
export function registerResourceType(type: string, definition: ResourceType): void {
  types.set(type, definition);
}

/** The physical name of a resource that declares none: `stack-LogicalId-RANDOM`, shaped per type. */
export function defaultName(type: ResourceType, r: ResourceView): string {
  if (type.generateName) return type.generateName(r);
  const suffix = type.nameSuffix?.(r) ?? '';
  return generatedName(r.env.stackName, r.logicalId, (type.nameMaxLength ?? 255) - suffix.length, type.lowerCaseName) + suffix;
}

