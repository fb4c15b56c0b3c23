/** Test support shared by the embedded services: a loaded-template stand-in holding only the given resources. */
import type { Project, TemplateResource } from '../definitions/model.js';

export function testProject(resources: TemplateResource[] = [], file = '/tmp/template.yaml'): Project {
  return {
    file,
    stackName: 'test',
    region: 'us-east-1',
    accountId: '000000000000',
    apis: [],
    functions: [],
    vpcLinks: [],
    domains: [],
    resources,
    outputs: {},
    parameters: {},
  };
}
