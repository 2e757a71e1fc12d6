import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import type { Orm } from '../db/orm.js';
import { LAUNCH_PATIENT } from '../policy/token-scopes.js';
import { loadViewer } from '../policy/viewer.js';
import { recordAccessToken } from './access-token-records.js';
import { recordRedemption } from './invitation-records.js';

/**
 * What the gateway adds to the provider's token endpoint once it has answered: the answer's `scope` lists
 * everything granted (the provider lists only the access token's resource scopes, not openid, fhirUser or
 * offline_access); `launch/patient` yields the `patient` context (the patient login's own record); the
 * redemption of an invitation code is recorded on the invitation; the access token is recorded for
 * introspection (access-token-records.ts) before the answer leaves.
 */
export function extendTokenEndpoint(provider: Provider, orm: Orm): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown>;
    const { entities } = ctx.oidc;
    const source = entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode;
    const resourceScopes = String(body.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const oidcScopes = source && entities.Grant ? entities.Grant.getOIDCScopeFiltered(source.scopes).split(' ') : [];
    body.scope = [...new Set([...oidcScopes, ...resourceScopes])].filter(Boolean).join(' ');
    const em = orm.em.fork();
    if (resourceScopes.includes(LAUNCH_PATIENT) && entities.Account) {
      const { patientId } = await loadViewer(em, Number(entities.Account.accountId));
      if (patientId !== null) body.patient = String(patientId);
    }
    const issued = entities.AccessToken;
    if (issued?.clientId && typeof body.access_token === 'string') {
      // the JWT's own jti and exp (the model computes its expiry without keeping it)
      const { jti, exp } = decodeJwt(body.access_token);
      if (jti && exp) {
        await recordAccessToken(em, {
          jti,
          exp,
          clientId: issued.clientId,
          grantId: issued.grantId,
          accountId: issued.accountId,
        });
      }
    }
    const code = entities.AuthorizationCode;
    if (code?.jti && ctx.oidc.client) await recordRedemption(em, code.jti, ctx.oidc.client.clientId);
  });
}
