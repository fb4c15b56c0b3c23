// A Lambda proxy handler: module scope survives between invocations of a warm environment.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      message: `hello, ${event.pathParameters.name}`,
      requestId: context.awsRequestId,
      warmInvocations: invocations,
      table: process.env.TABLE_NAME,
    }),
  };
};
