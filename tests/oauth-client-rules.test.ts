import { describe, expect, it } from 'vitest';
import { bearerChallenge } from '../src/auth/bearer-challenge.js';
import {
  DEFAULT_REGISTERED_SCOPE,
  inferredApplicationType,
  redirectUriProblem,
  redirectUrisProblem,
  registeredScope,
  registrationProblem,
} from '../src/auth/registration-policy.js';
import { smartConfiguration } from '../src/auth/smart.js';
import { loadConfig } from '../src/config.js';
import { parseScope, scopeCovers } from '../src/policy/token-scopes.js';

const BASE = 'https://gw.example';

describe('bearerChallenge', () => {
  it('points at the protected resource metadata, alone or with the error parts in order', () => {
    expect(bearerChallenge(BASE)).toBe(
      'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource"',
    );
    expect(
      bearerChallenge(BASE, { error: 'insufficient_scope', description: 'needs more', scope: 'user/Patient.c' }),
    ).toBe(
      'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource", error="insufficient_scope", error_description="needs more", scope="user/Patient.c"',
    );
  });

  it('escapes quotes and backslashes and keeps the header printable ASCII', () => {
    const value = bearerChallenge(BASE, {
      error: 'invalid_token',
      description: 'the token’s "aud" is \\wrong\r\nX: y',
    });
    expect(value).toContain(`error_description="the token's \\"aud\\" is \\\\wrong  X: y"`);
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    // a header parser reads the quoted-string back whole
    const quoted = /error_description="((?:[^"\\]|\\.)*)"/.exec(value)![1]!.replace(/\\(.)/g, '$1');
    expect(quoted).toBe(`the token's "aud" is \\wrong  X: y`);
  });

  it('leaves out empty parts', () => {
    expect(bearerChallenge(BASE, { error: 'invalid_token', description: '' })).toBe(
      'Bearer resource_metadata="https://gw.example/.well-known/oauth-protected-resource", error="invalid_token"',
    );
  });
});

describe('what a client may register itself with', () => {
  it('splits the OpenID scopes from the read-only resource scopes; no scope gets the documented default', () => {
    expect(
      registeredScope(
        'openid fhirUser user/*.rs patient/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0 user/Patient.read',
      ),
    ).toEqual({
      oidc: 'openid fhirUser',
      resource:
        'user/*.rs patient/Observation.rs?code=https://w3id.org/openmhealth|omh:heart-rate:2.0 user/Patient.read',
    });
    expect(registeredScope(undefined)).toEqual({
      oidc: 'openid fhirUser profile email offline_access',
      resource: 'user/*.rs',
    });
    expect(DEFAULT_REGISTERED_SCOPE).toContain('user/*.rs');
  });

  it.each(['user/*.cruds', 'user/Observation.c', 'patient/Patient.u', 'user/*.rds', 'user/*.write', 'patient/*.*'])(
    'refuses %s (it changes data)',
    (scope) => {
      expect(registeredScope(`openid ${scope}`)).toMatch(/may only read and search/);
    },
  );

  it.each(['system/*.rs', 'user/Foo.rs', 'user/Patient.rs?name=x', 'admin'])(
    'refuses %s (not a scope granted here)',
    (scope) => {
      expect(registeredScope(scope)).toMatch(/not one this server grants/);
    },
  );

  it('takes https, loopback http on any port and an app’s own scheme as redirects; nothing else', () => {
    for (const ok of [
      'https://claude.ai/api/mcp/auth_callback',
      'http://127.0.0.1:33418/callback',
      'http://[::1]:8080/cb',
      'http://localhost:6274/oauth/callback',
      'cursor://anysphere.cursor-retrieval/oauth/callback',
      'com.example.app:/oauth2redirect',
    ]) {
      expect(redirectUriProblem(ok), ok).toBeNull();
    }
    expect(redirectUriProblem('http://mcp.example/callback')).toMatch(/must use https/);
    expect(redirectUriProblem('http://127.0.0.2/callback')).toMatch(/must use https/);
    expect(redirectUriProblem('javascript:alert(1)')).toMatch(/not allowed/);
    expect(redirectUriProblem('data:text/html,x')).toMatch(/not allowed/);
    expect(redirectUriProblem('not a url')).toMatch(/not a URL/);
  });

  const publicClient = {
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  };

  it('takes a public authorization code client, and refuses anything else', () => {
    expect(registrationProblem(publicClient)).toBeNull();
    expect(registrationProblem({ ...publicClient, token_endpoint_auth_method: 'client_secret_basic' })).toMatch(
      /only public clients/,
    );
    expect(registrationProblem({ ...publicClient, grant_types: ['implicit'] })).toMatch(/grant_types/);
    expect(registrationProblem({ ...publicClient, grant_types: ['client_credentials'] })).toMatch(/grant_types/);
    expect(registrationProblem({ ...publicClient, grant_types: ['refresh_token'] })).toMatch(/grant_types/);
    expect(registrationProblem({ ...publicClient, response_types: ['code id_token'] })).toMatch(/response_types/);
    expect(redirectUrisProblem(['http://127.0.0.1:9/cb', 'cursor://x/cb'])).toBeNull();
    expect(redirectUrisProblem([])).toMatch(/at least one/);
    expect(redirectUrisProblem('https://a.example/cb')).toMatch(/at least one/);
    expect(redirectUrisProblem(['https://a.example/cb', 'http://b.example/cb'])).toMatch(/must use https/);
  });

  it('makes loopback and own-scheme clients native (any loopback port), https ones web', () => {
    expect(inferredApplicationType(['http://127.0.0.1:9/cb'])).toBe('native');
    expect(inferredApplicationType(['cursor://x/cb', 'http://localhost:1/cb'])).toBe('native');
    expect(inferredApplicationType(['https://app.example/cb'])).toBe('web');
  });
});

describe('a registered scope as a ceiling (scopeCovers)', () => {
  const covers = (ceiling: string, requested: string) => scopeCovers(parseScope(ceiling)!, parseScope(requested)!);
  it('covers narrower resources, interactions and codes; nothing wider or in another context', () => {
    expect(covers('user/*.rs', 'user/Observation.r')).toBe(true);
    expect(covers('user/*.rs', 'user/Observation.rs?code=a|b')).toBe(true);
    expect(covers('user/*.rs', 'user/*.cruds')).toBe(false);
    expect(covers('user/*.rs', 'patient/*.rs')).toBe(false);
    expect(covers('user/Patient.rs', 'user/Observation.rs')).toBe(false);
    expect(covers('user/Observation.rs?code=a|b,c|d', 'user/Observation.s?code=c|d')).toBe(true);
    expect(covers('user/Observation.rs?code=a|b', 'user/Observation.rs')).toBe(false);
    expect(covers('user/Observation.rs?code=a|b', 'user/Observation.rs?code=a|c')).toBe(false);
  });
});

describe('configuration and discovery', () => {
  it('keeps registration on by default (production too), 10 an hour; off when told', () => {
    expect(loadConfig({}).auth.clientRegistration).toEqual({ enabled: true, perHour: 10 });
    expect(loadConfig({ OAUTH_REGISTRATION: 'off', OAUTH_REGISTRATION_PER_HOUR: '3' }).auth.clientRegistration).toEqual(
      {
        enabled: false,
        perHour: 3,
      },
    );
    expect(() => loadConfig({ OAUTH_REGISTRATION: 'maybe' })).toThrow(/OAUTH_REGISTRATION must be one of on, off/);
    expect(() => loadConfig({ OAUTH_REGISTRATION_PER_HOUR: '0' })).toThrow(/OAUTH_REGISTRATION_PER_HOUR/);
  });

  it('names the registration endpoint in SMART discovery only when registration is on', () => {
    expect(smartConfiguration(BASE, { registration: true }).registration_endpoint).toBe(`${BASE}/o/reg`);
    expect(smartConfiguration(BASE, { registration: false })).not.toHaveProperty('registration_endpoint');
    expect(smartConfiguration(BASE, { registration: false }).introspection_endpoint).toBe(
      `${BASE}/o/token/introspection`,
    );
  });
});
