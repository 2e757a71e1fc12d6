import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Patient as PatientEntity } from '../../src/db/entities/index.js';
import * as trail from '../../src/services/audit-events.js';
import type { AuditEventRow } from '../../src/services/audit-events.js';
import { toConnection } from '../connection.js';
import type { GraphQLContext } from '../context.js';
import { pageCost } from '../cost.js';
import { toId } from '../ids.js';
import { AuditEvent, AuditEventConnection, AuditEventFilter } from '../types/audit-event.js';
import { PageArgs } from '../types/paging.js';
import { Patient } from '../types/patient.js';
import { User } from '../types/user.js';

function toFilter(filter: AuditEventFilter | null): trail.AuditEventFilter {
  return {
    userId: filter?.userId ? toId(filter.userId, 'filter.userId') : null,
    patientId: filter?.patientId ? toId(filter.patientId, 'filter.patientId') : null,
    from: filter?.from ?? null,
    before: filter?.before ?? null,
    outcome: filter?.outcome ?? null,
  };
}

@Resolver(() => AuditEvent)
export class AuditEventResolver {
  @Query(() => AuditEventConnection, {
    complexity: pageCost,
    description: 'the audit trail, newest first (super users): every read and write of patient data',
  })
  async auditEvents(
    @Arg('filter', () => AuditEventFilter, { nullable: true }) filter: AuditEventFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const criteria = toFilter(filter);
    return toConnection(await trail.listAuditEvents(ctx.services, { ...criteria, ...page }), () =>
      trail.countAuditEvents(ctx.services, criteria),
    );
  }

  @FieldResolver(() => User, { nullable: true, description: 'who it was (none: anonymous, or a removed login)' })
  user(@Root() event: AuditEventRow, @Ctx() ctx: GraphQLContext) {
    return event.userId === null ? null : ctx.loaders.user.load(event.userId);
  }
}

@Resolver(() => Patient)
export class PatientAccessLogResolver {
  @FieldResolver(() => AuditEventConnection, {
    complexity: pageCost,
    description:
      'who read or changed the patient’s data, newest first: for the patient, managers of their organizations and super users',
  })
  async accessLog(
    @Root() patient: PatientEntity,
    @Arg('from', () => Date, { nullable: true, description: 'recorded at or after' }) from: Date | null,
    @Arg('before', () => Date, { nullable: true, description: 'recorded strictly before' }) before: Date | null,
    @Args() page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    const organizationIds = await ctx.loaders.patientOrganizationIds.load(patient.id);
    const log = await trail.listPatientAccessLog(
      ctx.services,
      { id: patient.id, organizationIds },
      { from, before, ...page },
    );
    return toConnection(log.page, log.count);
  }
}
