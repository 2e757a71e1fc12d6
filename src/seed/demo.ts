import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword } from '../auth/password.js';
import { storeClient } from '../auth/client-registry.js';
import {
  Client,
  ClientDataSource,
  CodeableConcept,
  DataSource,
  DataSourceSupportedScope,
  Observation,
  ObservationIdentifier,
  Organization,
  Patient,
  PatientIdentifier,
  PatientOrganization,
  Practitioner,
  PractitionerOrganization,
  Study,
  StudyClient,
  StudyDataSource,
  StudyPatient,
  StudyPatientScopeConsent,
  StudyScopeRequest,
  User,
} from '../db/entities/index.js';
import type { Orm } from '../db/orm.js';
import * as demo from './demo-data.js';
import { generateSeries, uuidIdentifier } from './omh-series.js';

export type SeedResult = { seeded: true; observations: number } | { seeded: false; reason: string };

const SEQUENCES = [
  'users',
  'organizations',
  'studies',
  'patients',
  'codeable_concepts',
  'observations',
  'data_sources',
  'practitioners',
  'clients',
];

/**
 * Fills an empty database with the demo data, in one transaction: all of it or nothing. A database that
 * already holds organizations or any demo login is left alone, so seeding twice changes nothing.
 */
export async function seedDemo(orm: Orm, publicUrl: string): Promise<SeedResult> {
  const em = orm.em.fork();
  const emails = [...demo.practitioners.map((p) => p.email), ...demo.patients.map((p) => p.email)];
  if ((await em.count(Organization)) > 0) return { seeded: false, reason: 'the database already has organizations' };
  if ((await em.count(User, { email: { $in: emails } })) > 0) {
    return { seeded: false, reason: 'the database already has demo users' };
  }
  const passwordHash = await hashPassword(demo.DEMO_PASSWORD);
  let observations = 0;
  await em.transactional(async (tx) => {
    seedCatalog(tx);
    seedOrganizationsAndPractitioners(tx, passwordHash);
    seedStudiesAndPatients(tx, passwordHash);
    await tx.flush();
    await seedClients(tx, publicUrl);
    observations = await seedObservations(tx);
    // Explicit ids were inserted: move each sequence past them so new rows continue the ranges.
    for (const table of SEQUENCES) {
      await tx.execute(
        `select setval('${table}_id_seq', greatest((select max(id) from ${table}), (select last_value from ${table}_id_seq)))`,
      );
    }
  });
  return { seeded: true, observations };
}

function seedCatalog(em: EntityManager) {
  for (const [id, code, text] of demo.codeableConcepts) {
    em.create(CodeableConcept, { id, codingSystem: demo.OMH_SYSTEM, codingCode: code, text });
  }
  for (const source of demo.dataSources) {
    em.create(DataSource, { id: source.id, name: source.name, type: source.type });
    for (const code of source.scopes) {
      em.create(DataSourceSupportedScope, { dataSource: source.id, codeableConcept: demo.codeId(code) });
    }
  }
}

function seedOrganizationsAndPractitioners(em: EntityManager, passwordHash: string) {
  for (const org of demo.organizations) {
    em.create(Organization, { id: org.id, name: org.name, type: org.type, partOf: org.partOf });
  }
  for (const p of demo.practitioners) {
    const user = em.create(User, {
      id: p.id,
      email: p.email,
      passwordHash,
      emailVerifiedAt: demo.DEMO_START,
      firstName: p.firstName,
      lastName: p.lastName,
      isSuperuser: p.isSuperuser ?? false,
      kind: 'practitioner',
    });
    const practitioner = em.create(Practitioner, { user });
    for (const [organization, role] of p.roles)
      em.create(PractitionerOrganization, { practitioner, organization, role });
  }
}

/** The demo apps: OAuth clients (public, redirecting to the gateway's callback) with their records. */
async function seedClients(em: EntityManager, publicUrl: string) {
  for (const c of demo.clients) {
    await storeClient(em, {
      clientId: c.oauthClientId,
      name: c.name,
      redirectUris: [`${publicUrl}/auth/callback`],
      confidential: false,
      applicationType: 'web',
    });
    em.create(Client, { id: c.id, name: c.name, oauthClientId: c.oauthClientId, invitationUrl: c.invitationUrl });
    for (const dataSource of c.dataSources) em.create(ClientDataSource, { client: c.id, dataSource });
    for (const s of demo.studies) {
      const uses = demo.studyDataSources(s.scopes).some((id) => c.dataSources.includes(id));
      if (uses) em.create(StudyClient, { study: s.id, client: c.id });
    }
  }
  await em.flush();
}

function seedStudiesAndPatients(em: EntityManager, passwordHash: string) {
  for (const s of demo.studies) {
    em.create(Study, { id: s.id, organization: s.organization, name: s.name, description: s.description });
    for (const code of s.scopes) em.create(StudyScopeRequest, { study: s.id, codeableConcept: demo.codeId(code) });
    for (const dataSource of demo.studyDataSources(s.scopes)) em.create(StudyDataSource, { study: s.id, dataSource });
  }
  const consentedTime = new Date(demo.DEMO_START.getTime() - 24 * 3600 * 1000);
  for (const p of demo.patients) {
    const user = em.create(User, {
      id: p.userId,
      email: p.email,
      passwordHash,
      emailVerifiedAt: demo.DEMO_START,
      firstName: p.nameGiven,
      lastName: p.nameFamily,
      kind: 'patient',
    });
    const patient = em.create(Patient, {
      id: p.id,
      user,
      nameGiven: p.nameGiven,
      nameFamily: p.nameFamily,
      birthDate: p.birthDate,
      email: p.email,
    });
    em.create(PatientIdentifier, {
      patient,
      system: demo.DEMO_IDENTIFIER_SYSTEM,
      value: `${p.nameGiven.toLowerCase()}-mrn-${p.id}`,
    });
    for (const organization of p.organizations) em.create(PatientOrganization, { patient, organization });
    for (const enrollment of p.studies) {
      const studyPatient = em.create(StudyPatient, { study: enrollment.study, patient });
      for (const [code, consented] of Object.entries(enrollment.consents)) {
        em.create(StudyPatientScopeConsent, {
          studyPatient,
          codeableConcept: demo.codeId(code as demo.DemoCode),
          consented,
          consentedTime,
        });
      }
    }
  }
}

/** A few days of realistic data points for every scope a patient consented to share. */
async function seedObservations(em: EntityManager): Promise<number> {
  let count = 0;
  for (const p of demo.patients) {
    for (const [code, dataSourceId] of Object.entries(p.devices) as [demo.DemoCode, number][]) {
      const sourceName = demo.dataSources.find((d) => d.id === dataSourceId)?.name ?? 'unknown';
      const series = generateSeries({
        code,
        start: demo.DEMO_START,
        days: demo.DEMO_DAYS,
        perDay: demo.perDay[code] ?? 4,
        seed: p.id * 100 + demo.codeId(code),
        name: `demo/${p.id}/${code}`,
        sourceName,
      });
      for (const point of series) {
        const identifier = uuidIdentifier(point);
        const observation = em.create(Observation, {
          subjectPatient: p.id,
          codeableConcept: demo.codeId(code),
          dataSource: dataSourceId,
          omh: point.omh,
          effectiveTime: point.effectiveTime,
          lastUpdated: point.effectiveTime,
          identifiers: [identifier],
        });
        em.create(ObservationIdentifier, { observation, ...identifier });
        count++;
      }
    }
  }
  await em.flush();
  return count;
}
