import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role, UserKind } from '../db/entities/index.js';
import type { GrantedRule } from './token.js';
import { parseScopes, type ScopeRule } from './token-scopes.js';

/** Who is asking: loaded once per request and handed to every policy check and service. */
export interface Viewer {
  readonly userId: number | null;
  /** the kind of login (null: anonymous) */
  readonly kind: UserKind | null;
  readonly isSuperuser: boolean;
  readonly practitionerId: number | null;
  readonly patientId: number | null;
  /** organization id → the practitioner's role there (roles do not inherit down the tree) */
  readonly roles: ReadonlyMap<number, Role>;
  /** what the request's access token was granted (the policy intersects it with the roles) */
  readonly scopes: readonly GrantedRule[];
  /** the third-party OAuth client the token was issued to (none: no token, or a first-party client) */
  readonly tokenClient?: TokenClient | null;
  /** the OAuth client the access token was issued to, first- or third-party (the audit trail's "who") */
  readonly tokenClientId?: string | null;
  /** a super user disabled the login: its tokens count for nothing (bearer.ts refuses them) */
  readonly disabled?: boolean;
  /** the login's current token generation: tokens of an earlier one are refused (bearer.ts) */
  readonly tokenGeneration?: number;
}

export interface TokenClient {
  readonly oauthClientId: string;
  /** false once the client is removed: its tokens no longer count */
  readonly registered: boolean;
  /** the app (Client record) behind it, whose uploads are limited to its data sources */
  readonly app: { readonly id: number; readonly dataSourceIds: ReadonlySet<number> } | null;
}

/** The scopes of work done without a token (the CLI, the seed, services called directly): the user's rights. */
export const ALL_SCOPES: readonly GrantedRule[] = parseScopes('user/*.cruds').map((rule) => ({
  ...rule,
  codeIds: null,
}));

export const ANONYMOUS: Viewer = Object.freeze({
  userId: null,
  kind: null,
  isSuperuser: false,
  practitionerId: null,
  patientId: null,
  roles: new Map(),
  scopes: [],
});

const viewerSql = (extraColumns = '') => `select u.kind, u.is_superuser, u.disabled_at is not null as disabled,
    u.token_generation,
    (select pr.id from practitioners pr where pr.user_id = u.id) as practitioner_id,
    (select pa.id from patients pa where pa.user_id = u.id) as patient_id,
    (select coalesce(json_agg(json_build_array(po.organization_id, po.role)), '[]')
       from practitioner_organizations po join practitioners pr on pr.id = po.practitioner_id
      where pr.user_id = u.id) as roles${extraColumns}
  from users u where u.id = ?`;
const VIEWER_SQL = viewerSql();

/** The codeable concepts that `?code=` scopes name, as one more column of the viewer's statement. */
function codingsColumn(rules: readonly ScopeRule[]) {
  const codings = rules.flatMap((rule) => rule.codings ?? []);
  if (codings.length === 0) return { sql: '', params: [] };
  return {
    sql: `, (select coalesce(json_agg(json_build_array(c.id, c.coding_system, c.coding_code)), '[]') from codeable_concepts c
          where (c.coding_system, c.coding_code) in (${codings.map(() => '(?, ?)').join(', ')})) as scoped_codes`,
    params: codings.flatMap((c) => [c.system, c.code]),
  };
}

/** The token's OAuth client: whether it is still registered, and the app and data sources behind it. */
const CLIENT_COLUMNS = `, exists (select 1 from oidc_payloads o where o.model = 'Client' and o.id = ?) as client_registered,
    (select json_build_object('id', c.id, 'dataSourceIds',
        (select coalesce(json_agg(cds.data_source_id), '[]') from client_data_sources cds where cds.client_id = c.id))
       from clients c where c.oauth_client_id = ?) as app_client`;

function grant(rules: readonly ScopeRule[], concepts: [number, string, string][]): GrantedRule[] {
  const idOf = new Map(concepts.map(([id, system, code]) => [`${system}|${code}`, id]));
  return rules.map((rule) => ({
    ...rule,
    codeIds: rule.codings
      ? new Set(rule.codings.map((c) => idOf.get(`${c.system}|${c.code}`)).filter((id) => id !== undefined))
      : null,
  }));
}

interface ViewerRow {
  kind: UserKind;
  is_superuser: boolean;
  disabled: boolean;
  token_generation: number;
  practitioner_id: number | null;
  patient_id: number | null;
  roles: [number, Role][];
  scoped_codes?: [number, string, string][];
  client_registered?: boolean;
  app_client?: { id: number; dataSourceIds: number[] } | null;
}

/**
 * Builds the viewer for a user id in one round trip (every request does this); an unknown user is anonymous.
 * `scopes`: the access token's resource scopes; without a token, the user's rights (ALL_SCOPES).
 * `oauthClientId`: the token's client when it is a third-party one (its registration and app are looked up).
 */
export async function loadViewer(
  em: EntityManager,
  userId: number,
  scopes?: readonly ScopeRule[],
  oauthClientId?: string,
): Promise<Viewer> {
  const codings = codingsColumn(scopes ?? []);
  const clientColumns = oauthClientId === undefined ? '' : CLIENT_COLUMNS;
  const sql = codings.sql || clientColumns ? viewerSql(codings.sql + clientColumns) : VIEWER_SQL;
  const clientParams = oauthClientId === undefined ? [] : [oauthClientId, oauthClientId];
  const [row] = await em.execute<ViewerRow[]>(sql, [...codings.params, ...clientParams, userId]);
  if (!row) return ANONYMOUS;
  const tokenClient: TokenClient | null =
    oauthClientId === undefined
      ? null
      : {
          oauthClientId,
          registered: row.client_registered === true,
          app: row.app_client ? { id: row.app_client.id, dataSourceIds: new Set(row.app_client.dataSourceIds) } : null,
        };
  return {
    userId,
    kind: row.kind,
    isSuperuser: row.is_superuser,
    practitionerId: row.practitioner_id,
    patientId: row.patient_id,
    roles: new Map(row.roles),
    scopes: scopes ? grant(scopes, row.scoped_codes ?? []) : ALL_SCOPES,
    tokenClient,
    disabled: row.disabled,
    tokenGeneration: row.token_generation,
  };
}
