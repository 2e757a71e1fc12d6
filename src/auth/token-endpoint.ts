import type Provider from 'oidc-provider';
import type { Orm } from '../db/orm.js';
import { recordRedemption } from './invitation-records.js';

/**
 * What the gateway adds to the provider's token endpoint once it has answered: the redemption of an invitation
 * code is recorded on the invitation.
 */
export function extendTokenEndpoint(provider: Provider, orm: Orm): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const code = ctx.oidc.entities.AuthorizationCode;
    if (code?.jti && ctx.oidc.client) await recordRedemption(orm.em.fork(), code.jti, ctx.oidc.client.clientId);
  });
}
