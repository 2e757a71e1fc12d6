import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { searchsetBundle } from './bundle.js';
import { FhirError } from './outcome.js';
import { searchPage } from './search.js';
import { parseDateRange, parseId, readParams } from './search-params.js';

const SEARCH = `query ($filter: AuditEventFilter, $first: Int, $after: String, $total: Boolean!) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount @include(if: $total)
    nodes {
      id recordedAt userId clientId face address userAgent requestId operation action resourceType
      resourceIds patientIds params rowCount outcome errorCode
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AuditEventNode {
  id: string;
  recordedAt: string;
  userId: string | null;
  clientId: string | null;
  face: string;
  address: string | null;
  userAgent: string | null;
  requestId: string | null;
  operation: string;
  action: 'READ' | 'SEARCH' | 'CREATE' | 'UPDATE' | 'DELETE';
  resourceType: string;
  resourceIds: string[];
  patientIds: string[];
  params: Record<string, unknown>;
  rowCount: number | null;
  outcome: 'ALLOWED' | 'DENIED' | 'ERROR';
  errorCode: string | null;
}

const OUTCOME_SYSTEM = 'http://terminology.hl7.org/CodeSystem/audit-event-outcome';
const OUTCOMES = {
  ALLOWED: { code: '0', display: 'Success' },
  DENIED: { code: '4', display: 'Minor failure' },
  ERROR: { code: '8', display: 'Serious failure' },
} as const;
const FILTER_OUTCOME: Record<string, 'ALLOWED' | 'DENIED' | 'ERROR'> = { '0': 'ALLOWED', '4': 'DENIED', '8': 'ERROR' };
/** R5 AuditEvent.action: create, read, update, delete, execute (a search is an execute of a query) */
const ACTIONS = { CREATE: 'C', READ: 'R', UPDATE: 'U', DELETE: 'D', SEARCH: 'E' } as const;
const INTERACTIONS = {
  CREATE: 'create',
  READ: 'read',
  UPDATE: 'update',
  DELETE: 'delete',
  SEARCH: 'search-type',
} as const;

function parseOutcome(value: string | undefined) {
  if (value === undefined) return undefined;
  const code = value.startsWith(`${OUTCOME_SYSTEM}|`) ? value.slice(OUTCOME_SYSTEM.length + 1) : value;
  const outcome = FILTER_OUTCOME[code];
  if (!outcome) throw new FhirError(400, 'invalid', `outcome must be 0, 4 or 8, got "${value}"`, 'outcome');
  return outcome;
}

/** An audit event as an R5 AuditEvent: the user and the OAuth client as agents, the patients and rows as entities. */
export function toFhirAuditEvent(node: AuditEventNode) {
  const agent: Record<string, unknown>[] = [
    {
      who: node.userId === null ? { display: 'anonymous' } : { reference: `Person/${node.userId}` },
      requestor: true,
      ...(node.address ? { networkString: node.address } : {}),
    },
  ];
  if (node.clientId) {
    agent.push({ who: { identifier: { system: 'urn:hxg:oauth-client', value: node.clientId } }, requestor: false });
  }
  return {
    resourceType: 'AuditEvent',
    id: node.id,
    code: {
      coding: [{ system: 'http://hl7.org/fhir/restful-interaction', code: INTERACTIONS[node.action] }],
      text: node.operation,
    },
    action: ACTIONS[node.action],
    recorded: node.recordedAt,
    outcome: {
      code: { system: OUTCOME_SYSTEM, ...OUTCOMES[node.outcome] },
      ...(node.errorCode ? { detail: [{ text: node.errorCode }] } : {}),
    },
    agent,
    source: {
      observer: { display: `Health Exchange Gateway (${node.face})` },
      type: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
              code: '4',
              display: 'Application Server',
            },
          ],
        },
      ],
    },
    entity: [
      ...node.patientIds.map((id) => ({
        what: { reference: `Patient/${id}` },
        role: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' }],
        },
      })),
      ...node.resourceIds.map((id) => ({ what: { reference: `${node.resourceType}/${id}` } })),
      {
        what: { display: node.resourceType },
        query: Buffer.from(JSON.stringify(node.params)).toString('base64'),
        detail: [
          ...(node.rowCount === null ? [] : [{ type: { text: 'rowCount' }, valueInteger: node.rowCount }]),
          ...(node.requestId ? [{ type: { text: 'requestId' }, valueString: node.requestId }] : []),
          ...(node.userAgent ? [{ type: { text: 'userAgent' }, valueString: node.userAgent }] : []),
        ],
      },
    ],
  };
}

/** GET /AuditEvent: the audit trail (super users), by `date`, `agent`, `patient`, `outcome`. */
export async function searchAuditEvents(
  req: Request,
  schema: GraphQLSchema,
  context: GraphQLContext,
  baseUrl: string,
  maxPageSkip: number,
) {
  const params = readParams('AuditEvent', req.query);
  const one = (name: string) => params.get(name)?.[0];
  const selfQuery = new URLSearchParams(req.url.split('?')[1] ?? '');
  const recorded = parseDateRange('date', params.get('date'));
  const agent = one('agent');
  const patient = one('patient');
  const page = await searchPage({
    resourceType: 'AuditEvent',
    schema,
    context,
    params,
    query: SEARCH,
    variables: {
      filter: {
        userId: agent === undefined ? undefined : parseId('agent', agent, 'Person'),
        patientId: patient === undefined ? undefined : parseId('patient', patient, 'Patient'),
        from: recorded.from,
        before: recorded.before,
        outcome: parseOutcome(one('outcome')),
      },
    },
    connection: (data: { auditEvents: never }) => data.auditEvents,
    toResource: toFhirAuditEvent,
    selfQuery,
    maxPageSkip,
  });
  return searchsetBundle(baseUrl, 'AuditEvent', selfQuery, page);
}
