import type { GraphQLResolveInfo } from 'graphql';
import type { AuditEvent, AuditOutcome, RequestMetadata } from '../../src/audit/event.js';
import { NO_REQUEST, outcomeOfErrorCode } from '../../src/audit/event.js';
import { type AuditSink, DISCARD } from '../../src/audit/writer.js';
import type { Viewer } from '../../src/policy/viewer.js';
import type { AuditedField } from './fields.js';

type Path = GraphQLResolveInfo['path'];

/** A field path without list indices: all resolutions of one field of a query share it. */
export function fieldKey(path: Path | undefined): string {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev) if (typeof p.key === 'string') keys.push(p.key);
  return keys.reverse().join('.');
}

const exactKey = (path: Path): string => {
  const keys: (string | number)[] = [];
  for (let p: Path | undefined = path; p; p = p.prev) keys.push(p.key);
  return keys.reverse().join('.');
};

const SEVERITY: Record<AuditOutcome, number> = { allowed: 0, denied: 1, error: 2 };

/** One field's event while the request runs. */
export interface AuditEntry {
  readonly event: AuditEvent;
  addIds(target: 'resourceIds' | 'patientIds', ids: Iterable<unknown>): void;
  addRows(count: number): void;
  fail(code: string, outcome: AuditOutcome): void;
}

interface Pending {
  event: AuditEvent;
  resourceIds: Set<number>;
  patientIds: Set<number>;
}

function handleOf({ event, resourceIds, patientIds }: Pending): AuditEntry {
  return {
    event,
    addIds(target, ids) {
      const set = target === 'resourceIds' ? resourceIds : patientIds;
      for (const id of ids) {
        const n = typeof id === 'number' ? id : Number(id);
        if (Number.isSafeInteger(n) && n > 0) set.add(n);
      }
    },
    addRows(count) {
      event.rowCount = (event.rowCount ?? 0) + count;
    },
    fail(code, outcome) {
      if (SEVERITY[outcome] >= SEVERITY[event.outcome]) {
        event.outcome = outcome;
        event.errorCode = code;
      }
    },
  };
}

/**
 * The audit events of one request (or one face operation): each audited field adds to its path's event as it
 * resolves; `commit` hands them to the sink when the operation is done, so nothing waits on the audit table.
 */
export class RequestAudit {
  private readonly entries = new Map<string, Pending>();
  private readonly countedRows = new Set<string>();

  constructor(
    private readonly sink: AuditSink = DISCARD,
    private readonly viewer: Viewer | null = null,
    readonly request: RequestMetadata = NO_REQUEST,
  ) {}

  entry(info: GraphQLResolveInfo, field: AuditedField, params: () => Record<string, unknown>): AuditEntry {
    const key = fieldKey(info.path);
    let found = this.entries.get(key);
    if (!found) {
      found = this.pending(`${info.parentType.name}.${info.fieldName}`, field, params());
      this.entries.set(key, found);
    }
    return handleOf(found);
  }

  /** An event the face records of its own operation (an MCP tool call), committed with the fields' events. */
  recordCall(
    operation: string,
    what: AuditedField,
    call: { params: Record<string, unknown>; resourceIds: number[]; patientIds: number[]; rowCount: number | null },
    errorCode: string | null,
  ): void {
    const found = this.pending(operation, what, call.params);
    const entry = handleOf(found);
    entry.addIds('resourceIds', call.resourceIds);
    entry.addIds('patientIds', call.patientIds);
    found.event.rowCount = call.rowCount;
    if (errorCode) entry.fail(errorCode, outcomeOfErrorCode(errorCode));
    this.entries.set(`${operation}#${this.entries.size}`, found);
  }

  private pending(operation: string, field: AuditedField, params: Record<string, unknown>): Pending {
    return {
      event: {
        recordedAt: new Date(),
        userId: this.viewer?.userId ?? null,
        clientId: this.viewer?.tokenClientId ?? null,
        ...this.request,
        operation,
        action: field.action,
        resourceType: field.resourceType,
        resourceIds: [],
        patientIds: [],
        params,
        rowCount: null,
        outcome: 'allowed',
        errorCode: null,
      },
      resourceIds: new Set(),
      patientIds: new Set(),
    };
  }

  /** The entry of the audited field a connection's `nodes`/`edges` belong to, once per resolved list. */
  connectionEntry(info: GraphQLResolveInfo): AuditEntry | null {
    const parent = info.path.prev;
    if (!parent) return null;
    const exact = exactKey(parent);
    if (this.countedRows.has(exact)) return null;
    this.countedRows.add(exact);
    const found = this.entries.get(fieldKey(parent));
    return found ? handleOf(found) : null;
  }

  /** Hands this operation's events to the sink. */
  commit(): void {
    for (const { event, resourceIds, patientIds } of this.entries.values()) {
      event.resourceIds = [...resourceIds];
      event.patientIds = [...patientIds];
      this.sink.record(event);
    }
    this.entries.clear();
    this.countedRows.clear();
  }
}
