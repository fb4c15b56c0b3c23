/**
 * AWS managed policies templates commonly attach, by name (the part after `arn:aws:iam::aws:policy/`),
 * reduced to their statements on the services gatehouse enforces (execute-api, dynamodb).
 * AWS docs: "AWS managed policies" reference pages (AdministratorAccess, AmazonAPIGatewayInvokeFullAccess,
 * AmazonDynamoDBFullAccess, AmazonDynamoDBReadOnlyAccess, AWSLambdaBasicExecutionRole).
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, unknown>> = {
  AdministratorAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  AmazonAPIGatewayInvokeFullAccess: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke', 'execute-api:ManageConnections'], Resource: 'arn:aws:execute-api:*:*:*' }],
  },
  AmazonDynamoDBFullAccess: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] },
  AmazonDynamoDBReadOnlyAccess: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:BatchGetItem',
          'dynamodb:Describe*',
          'dynamodb:List*',
          'dynamodb:GetAbacStatus',
          'dynamodb:GetItem',
          'dynamodb:GetResourcePolicy',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:PartiQLSelect',
        ],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};
