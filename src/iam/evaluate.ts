/**
 * Identity-based policy evaluation for one request: an explicit Deny in any policy wins, else an
 * Allow in any policy, else the implicit deny. The answer names the policy and statement that decided,
 * for the gatehouse log, and the denial message AWS services word from it.
 * AWS docs: IAM User Guide "Policy evaluation logic" (reference_policies_evaluation-logic.html) and
 * "Troubleshoot access denied error messages" ("... because no identity-based policy allows the ... action",
 * "... with an explicit deny in an identity-based policy").
 */
import type { PolicyDecision, PolicyRequest } from '../apigw/auth/policy.js';
import type { IamIdentity } from './identities.js';

export interface IdentityDecision {
  decision: PolicyDecision;
  /** `PolicyName/Sid` (or `Statement[i]`) of the deciding statement; null for the implicit deny. */
  by: string | null;
}

export function evaluateIdentity(identity: IamIdentity, request: PolicyRequest): IdentityDecision {
  let allow: string | null = null;
  for (const { name, policy } of identity.policies) {
    const { decision, statement } = policy.explain(request);
    if (decision === 'Deny') return { decision, by: `${name}/${statement}` };
    if (decision === 'Allow') allow ??= `${name}/${statement}`;
  }
  return allow === null ? { decision: 'None', by: null } : { decision: 'Allow', by: allow };
}

/** The context keys of a request by this identity: the request's own, then the identity's (aws:username ...). */
export function identityConditions(identity: IamIdentity, request: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string | readonly string[] | undefined> {
  return { ...request, 'aws:principalarn': identity.userArn, 'aws:principalaccount': identity.accountId, ...identity.context };
}

/** "User: {arn} is not authorized to perform: {action} on resource: {resource} because ..." as newer AWS services word it. */
export function accessDeniedMessage(identity: IamIdentity, action: string, resource: string, decision: PolicyDecision): string {
  const reason = decision === 'Deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${identity.userArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
}
