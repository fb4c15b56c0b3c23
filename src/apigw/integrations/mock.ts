/**
 * MOCK: the response comes from API Gateway itself; the request template's `statusCode` picks
 * the integration response.
 * AWS docs: "Set up mock integrations in API Gateway".
 */
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { Integration, IntegrationFactory } from './index.js';

export const mockIntegration: IntegrationFactory = (): Integration => ({
  invoke(ctx) {
    const statusCode = mockStatus(ctx.integrationRequest?.body);
    ctx.endpointResponse = {
      statusCode,
      headers: new HeaderList(),
      body: EMPTY,
      selectionInput: String(statusCode),
      isProxyResponse: false,
    };
  },
});

const EMPTY = Buffer.alloc(0);

/** The last template output and its status: most MOCK request templates render the same text every time. */
let lastText = '';
let lastStatus = 200;

/** `{"statusCode": 200}` from the request template; no template or no statusCode means 200. */
function mockStatus(body: Buffer | undefined): number {
  if (body === undefined || body.length === 0) return 200;
  const text = body.toString('utf8');
  if (text === lastText) return lastStatus;
  const status = parseMockStatus(text);
  lastText = text;
  lastStatus = status;
  return status;
}

function parseMockStatus(text: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // AWS rejects a MOCK request template that is not JSON as a configuration error.
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
  }
  const status = (parsed as { statusCode?: unknown } | null)?.statusCode;
  if (status === undefined) return 200;
  const code = Number(status);
  if (!Number.isInteger(code) || code < 100 || code > 599) throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
  return code;
}
