import { type Request, type Response, Router } from 'express';
import type Provider from 'oidc-provider';
import { PROTECTED_RESOURCE_METADATA_PATH } from './bearer-challenge.js';
import { authEndpoints, OIDC_MOUNT_PATH } from './provider.js';
import { forwardedAsTrusted } from './provider-proxy.js';
import { ADVERTISED_RESOURCE_SCOPES } from './scopes.js';

/**
 * The gateway's protected resource metadata (RFC 9728). The gateway is one protected resource, `$PUBLIC_URL/`,
 * the audience of every access token: /mcp, /graphql, /fhir/r5 and /api/v1 all take the same tokens. MCP clients
 * accept a resource whose path is a prefix of the server's URL (`$PUBLIC_URL/` for `$PUBLIC_URL/mcp`) and then
 * ask for a token for that resource, so a token for /mcp works on every face and no second audience is needed.
 */
export function protectedResourceMetadata(publicUrl: string) {
  const { issuer, resource } = authEndpoints(publicUrl);
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: [...ADVERTISED_RESOURCE_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'Health Exchange Gateway',
  };
}

/**
 * Discovery documents outside /o:
 * - the protected resource metadata, also at the path-suffixed URL of the MCP endpoint, which clients that do
 *   not read the `resource_metadata` of a 401's WWW-Authenticate try (RFC 9728 §3.1): the same document;
 * - the provider's own metadata at RFC 8414's path-inserted URL for the issuer `$PUBLIC_URL/o`, where MCP
 *   clients look first. oidc-provider answers it: the request is handed to it as its own discovery request.
 */
export function discoveryRouter(provider: Provider, publicUrl: string): Router {
  const router = Router();
  const metadata = protectedResourceMetadata(publicUrl);
  router.get([PROTECTED_RESOURCE_METADATA_PATH, `${PROTECTED_RESOURCE_METADATA_PATH}/mcp`], (_req, res) => {
    res.set('cache-control', 'public, max-age=3600').json(metadata);
  });
  const callback = provider.callback();
  router.get(
    `/.well-known/oauth-authorization-server${OIDC_MOUNT_PATH}`,
    forwardedAsTrusted,
    (req: Request, res: Response) => {
      // the provider finds its mount path (and so its endpoints' URLs) from the original URL
      req.originalUrl = `${OIDC_MOUNT_PATH}/.well-known/openid-configuration`;
      req.url = '/.well-known/openid-configuration';
      void callback(req, res);
    },
  );
  return router;
}
