import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.js';

/** Demo defaults, public on purpose; production mode refuses to start with any of them. */
export const DEMO_DEFAULTS = {
  patientCodeVerifier: 'hxg-demo-patient-verifier-bL3g3FKuC1IVpzoufXzx_eB_',
  patientCodeChallenge: '9yh2gquZ9H6Sxf3FVkI_h5I9O4mGdyTivgTRq8yp71U',
  registrationInviteCode: 'jhe',
  smtpFrom: 'Health Exchange Gateway <no-reply@localhost>',
} as const;

/**
 * The static PKCE pair JupyterHealth Exchange published for its demos: configure it to keep JupyterHealth
 * patient apps built against it working in development; production refuses it like our own demo pair.
 */
export const JUPYTERHEALTH_DEMO_PKCE = {
  verifier: 'EIlWNRU1_7yyUdw27ryzBvgcoU8ZJ6bgg_F-wkNbbDQ',
  challenge: 'C-rdBzEtxD82FMuHF0_76l6NNu_AIqnVJDL1Ba5j0gs',
} as const;

/** Everything the server reads from the environment, parsed once. */
export interface Config {
  production: boolean;
  port: number;
  publicUrl: string;
  /**
   * The browser origins allowed to call /graphql, /fhir/r5 and /o cross-origin: PUBLIC_URL's own origin
   * (the portal) first, then CORS_ORIGINS.
   */
  corsOrigins: readonly string[];
  /** the proxies (load balancers) whose X-Forwarded-* headers tell the client's address, protocol and host */
  trustProxy: TrustProxy;
  databaseUrl: string | undefined;
  /** connections of the pool that serves HTTP, per process (per worker) */
  dbPoolSize: number;
  dataDir: string;
  /** the built portal SPA served at `/` */
  clientDir: string;
  embeddedPostgresPort: number;
  /** as root: where the embedded PostgreSQL's binaries and data go when the postgres user cannot enter the clone */
  embeddedPostgresSharedDir: string;
  seed: 'demo' | 'none';
  /** HTTP worker processes (node:cluster) sharing the port and the database; 1: no cluster */
  workers: number;
  graphql: { maxDepth: number; maxComplexity: number; maxTokens: number; maxFields: number; maxAliases: number };
  fhir: {
    /** the rows `_page` may walk past ((page − 1) × _count); further pages are reached by the next links' cursors */
    maxPageSkip: number;
  };
  /** FHIR Bulk Data export ($export): how long finished files stay, how large they get, how jobs run */
  bulkExport: {
    /** a finished export's manifest and files are served this long, then deleted */
    ttlSeconds: number;
    /** an NDJSON file holds about this many lines (a batch more at most), then the next part starts */
    fileLines: number;
    /** rows read, written and checkpointed at once */
    batchRows: number;
    /** a job that a crashed process left running is taken up again after this long */
    jobExpireSeconds: number;
  };
  timeouts: {
    /** a request not answered by then gets a 503 in its API's format */
    requestMs: number;
    /** on SIGTERM/SIGINT, how long in-flight requests may take to finish before their connections are cut */
    shutdownGraceMs: number;
    /** PostgreSQL statement_timeout of the pool that serves HTTP requests (not of migrations, seeding, the CLI) */
    statementMs: number;
  };
  /** LOG_FORMAT: JSON lines by default; readable lines by default only in development on a terminal */
  logging: { level: LogLevel; format: 'json' | 'pretty' };
  /**
   * `/metrics` (Prometheus): on a port of its own if METRICS_PORT is set (METRICS_TOKEN optional there), else on
   * the main port if METRICS_TOKEN is set (and then only with it), else nowhere
   */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  audit: {
    /** rows older than this are purged (0: kept for ever) */
    retentionDays: number;
    /** the writer's queue is flushed every flushMs or at flushEvents events, whichever comes first */
    flushMs: number;
    flushEvents: number;
    /** the HMAC key of free-text search values (emails, identifier values); unset: a random key per process */
    hashKey: string | undefined;
    /** false only for the bench's with/without comparison (AUDIT_BENCH_DISABLE=1); production refuses it */
    enabled: boolean;
  };
  auth: {
    privateKey: string | undefined;
    cookieKeys: string | undefined;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    patientCodeChallenge: string;
    patientCodeVerifier: string;
    invitationLinkPrefix: string;
    invitationLinkExcludeHost: boolean;
    invitationTtlDays: number;
    /** undefined: self sign-up is off */
    registrationInviteCode: string | undefined;
    /**
     * Dynamic client registration at /o/reg (RFC 7591, for MCP clients): open to public, read-only clients,
     * `perHour` registrations per client address. Production keeps it on unless OAUTH_REGISTRATION=off.
     */
    clientRegistration: { enabled: boolean; perHour: number };
    /** INVITATION_DELIVERY: `show` answers the code and link to the practitioner; `email-only` mails them only */
    invitationDelivery: 'show' | 'email-only';
  };
  mail: MailConfig;
}

/** Email delivery (verification, password reset, invitations). */
export interface MailConfig {
  /** SMTP_URL (smtp:// or smtps://, credentials in it); unset: no mail (development starts its own server) */
  smtpUrl: string | undefined;
  /** SMTP_FROM: the sender, `Name <address>` or an address */
  from: string;
  verificationTtlHours: number;
  passwordResetTtlMinutes: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name] || fallback;
  if (!allowed.includes(raw as T)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, max = 65535, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function originOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).origin;
  } catch {
    throw new Error(`PUBLIC_URL must be a URL such as https://gateway.example.org, got "${publicUrl}"`);
  }
}

/**
 * CORS_ORIGINS: comma-separated exact origins (`https://app.example.org`). `*` and anything that is not an
 * origin (a path, a query, user info, another scheme) are refused, so that a typo cannot open the APIs.
 */
function originsFromEnv(raw: string | undefined): string[] {
  const items = (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.map((item) => {
    if (item.includes('*')) {
      throw new Error(`CORS_ORIGINS lists exact origins such as https://app.example.org; "${item}" is refused`);
    }
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    const origin = url && /^https?:$/.test(url.protocol) && !url.username && !url.password ? url.origin : undefined;
    if (origin !== item.replace(/\/$/, '')) {
      const hint = origin ? ` (did you mean "${origin}"?)` : '';
      throw new Error(`CORS_ORIGINS: "${item}" is not an origin (http(s)://host[:port], nothing after it)${hint}`);
    }
    return origin;
  });
}

/** Milliseconds from 1 to 10 minutes: a time limit cannot be switched off. */
const millisFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number) =>
  intFromEnv(env, name, fallback, 600_000, 1);

const flag = (value: string | undefined) => value === '1' || value?.toLowerCase() === 'true';

/** the shortest METRICS_TOKEN taken: it guards the metrics on a public port */
const MIN_METRICS_TOKEN = 16;

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  { stdoutIsTTY = Boolean(process.stdout.isTTY) }: { stdoutIsTTY?: boolean } = {},
): Config {
  const port = intFromEnv(env, 'PORT', 8000);
  const production = env.NODE_ENV === 'production';
  // Demo logins share a published password: production refuses SEED=demo (refuseDemoDefaults).
  const seed = env.SEED ?? (production ? 'none' : 'demo');
  if (seed !== 'demo' && seed !== 'none') throw new Error(`SEED must be "demo" or "none", got "${seed}"`);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const config: Config = {
    production,
    port,
    publicUrl,
    corsOrigins: [...new Set([originOf(publicUrl), ...originsFromEnv(env.CORS_ORIGINS)])],
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    databaseUrl: env.DATABASE_URL || undefined,
    dbPoolSize: intFromEnv(env, 'DB_POOL_SIZE', 10, 1000, 1),
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    clientDir: path.resolve(env.CLIENT_DIR || 'dist/client'),
    embeddedPostgresPort: intFromEnv(env, 'EMBEDDED_PG_PORT', 54329),
    embeddedPostgresSharedDir: path.resolve(env.EMBEDDED_PG_SHARED_DIR || '/var/lib/hxg'),
    workers:
      env.WEB_CONCURRENCY === 'auto' ? os.availableParallelism() : intFromEnv(env, 'WEB_CONCURRENCY', 1, 64) || 1,
    seed,
    graphql: {
      maxDepth: intFromEnv(env, 'GRAPHQL_MAX_DEPTH', 12, 100),
      maxComplexity: intFromEnv(env, 'GRAPHQL_MAX_COMPLEXITY', 100_000, 10_000_000),
      maxTokens: intFromEnv(env, 'GRAPHQL_MAX_TOKENS', 5000, 1_000_000, 1),
      maxFields: intFromEnv(env, 'GRAPHQL_MAX_FIELDS', 1000, 1_000_000, 1),
      maxAliases: intFromEnv(env, 'GRAPHQL_MAX_ALIASES', 30, 100_000),
    },
    fhir: { maxPageSkip: intFromEnv(env, 'FHIR_MAX_PAGE_SKIP', 10_000, 100_000) },
    bulkExport: {
      ttlSeconds: intFromEnv(env, 'BULK_EXPORT_TTL_SECONDS', 3600, 30 * 86400, 1),
      fileLines: intFromEnv(env, 'BULK_EXPORT_FILE_LINES', 100_000, 10_000_000, 1),
      batchRows: intFromEnv(env, 'BULK_EXPORT_BATCH_ROWS', 2000, 50_000, 1),
      jobExpireSeconds: intFromEnv(env, 'BULK_EXPORT_JOB_EXPIRE_SECONDS', 3600, 86400, 60),
    },
    timeouts: {
      requestMs: millisFromEnv(env, 'REQUEST_TIMEOUT_MS', 30_000),
      statementMs: millisFromEnv(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000),
      shutdownGraceMs: millisFromEnv(env, 'SHUTDOWN_GRACE_MS', 10_000),
    },
    logging: {
      level: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
      format: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'], !production && stdoutIsTTY ? 'pretty' : 'json'),
    },
    metrics: {
      port: env.METRICS_PORT ? intFromEnv(env, 'METRICS_PORT', 0, 65535, 1) : undefined,
      host: env.METRICS_HOST || '127.0.0.1',
      token: env.METRICS_TOKEN || undefined,
    },
    audit: {
      retentionDays: intFromEnv(env, 'AUDIT_RETENTION_DAYS', 2190, 36_500),
      flushMs: intFromEnv(env, 'AUDIT_FLUSH_MS', 200, 60_000, 1),
      flushEvents: intFromEnv(env, 'AUDIT_FLUSH_EVENTS', 500, 10_000, 1),
      hashKey: env.AUDIT_HASH_KEY || undefined,
      enabled: !flag(env.AUDIT_BENCH_DISABLE),
    },
    auth: {
      privateKey: env.OIDC_PRIVATE_KEY || undefined,
      cookieKeys: env.OIDC_COOKIE_KEYS || undefined,
      accessTokenTtlSeconds: intFromEnv(env, 'ACCESS_TOKEN_TTL_SECONDS', 3600, 86400),
      refreshTokenTtlSeconds: intFromEnv(env, 'REFRESH_TOKEN_TTL_SECONDS', 14 * 86400, 365 * 86400),
      patientCodeChallenge: env.PATIENT_AUTHORIZATION_CODE_CHALLENGE || DEMO_DEFAULTS.patientCodeChallenge,
      patientCodeVerifier: env.PATIENT_AUTHORIZATION_CODE_VERIFIER || DEMO_DEFAULTS.patientCodeVerifier,
      invitationLinkPrefix: env.INVITATION_LINK_PREFIX ?? `${publicUrl}/invitation/`,
      invitationLinkExcludeHost: flag(env.INVITATION_LINK_EXCLUDE_HOST),
      invitationTtlDays: intFromEnv(env, 'INVITATION_TTL_DAYS', 14, 90),
      registrationInviteCode:
        env.REGISTRATION_INVITE_CODE || (production ? undefined : DEMO_DEFAULTS.registrationInviteCode),
      clientRegistration: {
        enabled: oneOf(env, 'OAUTH_REGISTRATION', ['on', 'off'], 'on') === 'on',
        perHour: intFromEnv(env, 'OAUTH_REGISTRATION_PER_HOUR', 10, 10_000, 1),
      },
      invitationDelivery: oneOf(env, 'INVITATION_DELIVERY', ['show', 'email-only'], 'show'),
    },
    mail: {
      smtpUrl: smtpUrlFromEnv(env.SMTP_URL),
      from: senderFromEnv(env.SMTP_FROM),
      verificationTtlHours: intFromEnv(env, 'EMAIL_VERIFICATION_TTL_HOURS', 48, 24 * 30, 1),
      passwordResetTtlMinutes: intFromEnv(env, 'PASSWORD_RESET_TTL_MINUTES', 60, 24 * 60, 5),
    },
  };
  const { patientCodeVerifier, patientCodeChallenge } = config.auth;
  if (createHash('sha256').update(patientCodeVerifier).digest('base64url') !== patientCodeChallenge) {
    throw new Error(
      'PATIENT_AUTHORIZATION_CODE_CHALLENGE must be the S256 challenge of PATIENT_AUTHORIZATION_CODE_VERIFIER (base64url of its SHA-256): set both',
    );
  }
  if (production && !config.audit.enabled) {
    throw new Error('production mode refuses AUDIT_BENCH_DISABLE: the audit trail is always on');
  }
  checkMetrics(config);
  if (production) {
    refuseDemoDefaults(config, flag(env.PUBLIC_URL_ALLOW_HTTP));
    checkProductionMail(config, Boolean(env.SMTP_FROM));
  }
  return config;
}

function smtpUrlFromEnv(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^smtps?:$/.test(url.protocol) || !url.hostname) {
    throw new Error('SMTP_URL must be an smtp:// or smtps:// URL such as smtps://user:password@mail.example.org:465');
  }
  return raw;
}

/** `Name <address>` or `address`, on one line (a header): anything else is refused rather than sent. */
function senderFromEnv(raw: string | undefined): string {
  const from = raw?.trim() || DEMO_DEFAULTS.smtpFrom;
  if (!/^(?:[^<>\r\n"]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(from)) {
    throw new Error(`SMTP_FROM must be "Name <address@example.org>" or an address, got "${from}"`);
  }
  return from;
}

/** Production: the email features (sign-up's verification, invitations by email) need a real SMTP server. */
function checkProductionMail({ mail, auth }: Config, fromSet: boolean) {
  if (mail.smtpUrl && (!fromSet || mail.from === DEMO_DEFAULTS.smtpFrom)) {
    throw new Error('production mode needs SMTP_FROM (the sender of the gateway’s email) with SMTP_URL');
  }
  if (mail.smtpUrl) return;
  if (auth.registrationInviteCode) {
    throw new Error(
      'production mode needs SMTP_URL for sign-up (REGISTRATION_INVITE_CODE): new accounts verify their email',
    );
  }
  if (auth.invitationDelivery === 'email-only') {
    throw new Error('production mode needs SMTP_URL for INVITATION_DELIVERY=email-only');
  }
}

function checkMetrics({ metrics, workers }: Config) {
  if (metrics.token !== undefined && metrics.token.length < MIN_METRICS_TOKEN) {
    throw new Error(`METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters`);
  }
  // on the main port, each scrape would reach one worker and show its share only
  if (metrics.port === undefined && metrics.token !== undefined && workers > 1) {
    throw new Error(
      'METRICS_TOKEN without METRICS_PORT serves /metrics on the main port, one worker at a time: with WEB_CONCURRENCY > 1 set METRICS_PORT, where the metrics are summed over the workers',
    );
  }
}

/** Production mode: every demo default, and anything only fit for a laptop, stops the start with what to set. */
function refuseDemoDefaults({ auth, seed, publicUrl, databaseUrl }: Config, allowHttp: boolean) {
  if (auth.patientCodeVerifier === JUPYTERHEALTH_DEMO_PKCE.verifier) {
    throw new Error(
      'production mode refuses JupyterHealth’s published demo PATIENT_AUTHORIZATION_CODE_VERIFIER: set your own',
    );
  }
  if (auth.patientCodeVerifier === DEMO_DEFAULTS.patientCodeVerifier) {
    throw new Error('production mode refuses the demo PATIENT_AUTHORIZATION_CODE_VERIFIER: set your own');
  }
  if (auth.patientCodeChallenge === DEMO_DEFAULTS.patientCodeChallenge) {
    throw new Error('production mode refuses the demo PATIENT_AUTHORIZATION_CODE_CHALLENGE: set your own');
  }
  if (auth.registrationInviteCode === DEMO_DEFAULTS.registrationInviteCode) {
    throw new Error('production mode refuses the demo REGISTRATION_INVITE_CODE: set your own or leave it unset');
  }
  if (seed === 'demo') {
    throw new Error('production mode refuses SEED=demo (its logins share a published password): use SEED=none');
  }
  if (!databaseUrl) {
    throw new Error(
      'production mode needs DATABASE_URL: the embedded PostgreSQL has a fixed password and keeps its data in the checkout',
    );
  }
  if (new URL(publicUrl).protocol !== 'https:' && !allowHttp) {
    throw new Error(
      `production mode needs an https PUBLIC_URL (the URL users reach, the proxy's when it terminates TLS), got "${publicUrl}"; PUBLIC_URL_ALLOW_HTTP=true allows http where no TLS is wanted`,
    );
  }
}
