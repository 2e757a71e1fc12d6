import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importPKCS8, type JWK } from 'jose';

export interface AuthSecrets {
  /** the RS256 private signing key, as a JWK with kid, alg and use */
  signingKey: JWK;
  /** keys for oidc-provider's signed cookies, newest first */
  cookieKeys: string[];
}

async function withKeyId(jwk: JWK): Promise<JWK> {
  return { ...jwk, kid: jwk.kid ?? (await calculateJwkThumbprint(jwk)), alg: 'RS256', use: 'sig' };
}

/** OIDC_PRIVATE_KEY may be a PKCS#8 PEM (as `openssl genpkey` writes it, `\n` escapes allowed) or a JWK. */
export async function parsePrivateKey(value: string): Promise<JWK> {
  const text = value.trim().replaceAll('\\n', '\n');
  if (text.startsWith('{')) {
    const jwk = JSON.parse(text) as JWK;
    if (jwk.kty !== 'RSA' || !jwk.d) throw new Error('OIDC_PRIVATE_KEY: the JWK must be an RSA private key');
    return withKeyId(jwk);
  }
  if (!text.includes('BEGIN PRIVATE KEY')) {
    throw new Error('OIDC_PRIVATE_KEY must be a PKCS#8 PEM ("BEGIN PRIVATE KEY") or an RSA JWK');
  }
  const key = await importPKCS8(text, 'RS256', { extractable: true });
  return withKeyId(await exportJWK(key));
}

/**
 * Loads the signing key and cookie keys from the environment; in development, generates them once into
 * `<dataDir>/oidc-secrets.json` so that restarts (and other processes on the same data) keep sessions and
 * tokens valid. Production refuses to run on generated secrets.
 */
export async function loadAuthSecrets(opts: {
  production: boolean;
  dataDir: string;
  privateKey?: string;
  cookieKeys?: string;
}): Promise<AuthSecrets> {
  const fromEnv = {
    signingKey: opts.privateKey ? await parsePrivateKey(opts.privateKey) : undefined,
    cookieKeys: opts.cookieKeys
      ?.split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  };
  if (opts.production) {
    if (!fromEnv.signingKey) throw new Error('production mode needs OIDC_PRIVATE_KEY (an RS256 private key)');
    if (!fromEnv.cookieKeys?.length || fromEnv.cookieKeys.some((k) => k.length < 32)) {
      throw new Error('production mode needs OIDC_COOKIE_KEYS (comma-separated secrets of 32+ characters)');
    }
    return { signingKey: fromEnv.signingKey, cookieKeys: fromEnv.cookieKeys };
  }
  const generated = await developmentSecrets(opts.dataDir);
  return {
    signingKey: fromEnv.signingKey ?? generated.signingKey,
    cookieKeys: fromEnv.cookieKeys?.length ? fromEnv.cookieKeys : generated.cookieKeys,
  };
}

async function developmentSecrets(dataDir: string): Promise<AuthSecrets> {
  const file = path.join(dataDir, 'oidc-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as AuthSecrets;
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const secrets: AuthSecrets = {
    signingKey: await withKeyId(await exportJWK(privateKey)),
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(dataDir, { recursive: true });
  // 'wx': if another process generated them first, use theirs
  try {
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as AuthSecrets;
  }
}

/** The public half, for JWKS and token verification. */
export function publicJwk({ kty, n, e, kid, alg, use }: JWK): JWK {
  return { kty, n, e, kid, alg, use };
}
