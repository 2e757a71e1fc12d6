import type { TestApp } from './app.js';

/**
 * `n` more BIDS patients (organization 20003) enrolled in study 30001, each consenting to BP and HR, each with a
 * copy of peter's observations (so a study holds more than a page of everything). Emails `<prefix><i>@example.org`.
 */
export async function addConsentingPatients(app: TestApp, n: number, prefix = 'rest-extra') {
  await app.db.orm.em.getConnection().execute(
    `with created as (
       insert into patients (name_family, name_given, email)
       select 'Extra', 'Patient ' || i, ?::text || i || '@example.org' from generate_series(1, ?) as i returning id
     ), linked as (
       insert into patient_organizations (patient_id, organization_id) select id, 20003 from created returning patient_id
     ), enrolled as (
       insert into study_patients (study_id, patient_id) select 30001, patient_id from linked returning id, patient_id
     ), consented as (
       insert into study_patient_scope_consents (study_patient_id, codeable_concept_id, consented, consented_time)
       select e.id, c.id, true, now() from enrolled e cross join (values (50002), (50004)) as c(id) returning study_patient_id
     )
     insert into observations (subject_patient_id, codeable_concept_id, data_source_id, status, omh, effective_time)
     select e.patient_id, o.codeable_concept_id, o.data_source_id, o.status, o.omh, o.effective_time
       from enrolled e cross join observations o where o.subject_patient_id = 40001`,
    [prefix, n],
  );
}
