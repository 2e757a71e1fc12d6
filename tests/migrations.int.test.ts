import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { storageHash } from '../src/auth/adapter.js';
import { migrate, type Orm, openOrm } from '../src/db/orm.js';

const name = `hxg_migrations_${randomBytes(4).toString('hex')}`;
const admin = () => new pg.Client({ connectionString: inject('adminDatabaseUrl') });
let orm: Orm | undefined;

afterAll(async () => {
  await orm?.close();
  const client = admin();
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

describe('migrations', () => {
  it('apply to an empty database, once, match the entities exactly, and copy identifiers onto observations stored before, hash the provider’s stored ids', async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${name}`);
    await client.end();
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    orm = await openOrm(url.toString());

    const migrator = orm.getMigrator();
    const before = (await migrator.up({ to: 'Migration20261202130000_observation_order' })).map((m) => m.name);
    expect(before).toEqual([
      'Migration20261122191113_initial',
      'Migration20261122200000_oidc',
      'Migration20261202130000_observation_order',
    ]);
    // observations stored before their identifiers were copied onto them
    const sql = orm.em.getConnection();
    await sql.execute(
      `insert into codeable_concepts (id, coding_system, coding_code, text) values (1, 'https://w3id.org/openmhealth', 'omh:heart-rate:2.0', 'Heart rate');
       insert into data_sources (id, name, type) values (1, 'Cuff', 'device');
       insert into patients (id, name_family, name_given, email) values (1, 'Doe', 'Jo', 'jo@example.com');
       insert into users (id, email, kind) values (1, 'old@example.com', 'practitioner');
       insert into observations (id, subject_patient_id, codeable_concept_id, data_source_id, omh, effective_time)
         values (1, 1, 1, 1, '{}', '2026-11-01T08:00:00Z'), (2, 1, 1, 1, '{}', '2026-11-01T09:00:00Z');
       insert into observation_identifiers (observation_id, system, value)
         values (1, 'urn:ietf:rfc:3986', 'urn:uuid:1b'), (1, 'https://device.example', 'a'), (1, 'urn:ietf:rfc:3986', 'urn:uuid:1a');`,
    );
    // provider artifacts stored before their ids were hashed
    await sql.execute(
      `insert into oidc_payloads (model, id, payload, user_code) values
         ('AuthorizationCode', 'code-1', '{"jti":"code-1"}', null), ('DeviceCode', 'dc-1', '{}', 'ABCD-EFGH'),
         ('Client', 'my-dash', '{"client_id":"my-dash"}', null)`,
    );
    expect(await migrate(orm)).toEqual([
      'Migration20261202191036_observation_identifiers',
      'Migration20261206211134_invitations',
      'Migration20261207012848_clients',
      'Migration20261208070000_audit_events',
      'Migration20261208070100_throttle_failures',
      'Migration20261208070200_bulk_exports',
      'Migration20261208074100_observation_resources',
      'Migration20261208074200_email_tokens',
      'Migration20261208074500_user_disabled',
      'Migration20261208075000_saml_messages',
    ]);
    expect(await sql.execute('select model, id, user_code from oidc_payloads order by model')).toEqual([
      { model: 'AuthorizationCode', id: storageHash('code-1'), user_code: null },
      { model: 'Client', id: 'my-dash', user_code: null },
      { model: 'DeviceCode', id: storageHash('dc-1'), user_code: storageHash('ABCD-EFGH') },
    ]);
    expect(await migrate(orm)).toEqual([]);
    // accounts made before email verification count as verified; new ones start unverified
    await sql.execute(`insert into users (id, email, kind) values (2, 'new@example.com', 'practitioner')`);
    expect(await sql.execute('select id, email_verified_at is not null as verified from users order by id')).toEqual([
      { id: 1, verified: true },
      { id: 2, verified: false },
    ]);
    expect(await sql.execute('select id, identifiers from observations order by id')).toEqual([
      {
        id: '1',
        identifiers: [
          { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1b' },
          { system: 'https://device.example', value: 'a' },
          { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1a' },
        ],
      },
      { id: '2', identifiers: [] },
    ]);
    // an entity change without a new migration would show up here
    expect(await orm.getMigrator().checkMigrationNeeded()).toBe(false);
  });
});
