/** Every Open mHealth schema of the project, for the validator to compile once. */
import bloodGlucose40 from './blood-glucose-4.0.json' with { type: 'json' };
import bloodPressure40 from './blood-pressure-4.0.json' with { type: 'json' };
import bodyPosture10 from './body-posture-1.0.json' with { type: 'json' };
import bodyTemperature40 from './body-temperature-4.0.json' with { type: 'json' };
import bodyWeight30 from './body-weight-3.0.json' with { type: 'json' };
import dataPoint10 from './data-point-1.0.json' with { type: 'json' };
import dateTime10 from './date-time-1.0.json' with { type: 'json' };
import descriptiveStatistic10 from './descriptive-statistic-1.0.json' with { type: 'json' };
import durationUnitValue10 from './duration-unit-value-1.0.json' with { type: 'json' };
import header10 from './header-1.0.json' with { type: 'json' };
import heartRate20 from './heart-rate-2.0.json' with { type: 'json' };
import measurementLocation10 from './measurement-location-1.0.json' with { type: 'json' };
import oxygenSaturation20 from './oxygen-saturation-2.0.json' with { type: 'json' };
import physicalActivity12 from './physical-activity-1.2.json' with { type: 'json' };
import respiratoryRate20 from './respiratory-rate-2.0.json' with { type: 'json' };
import rrInterval10 from './rr-interval-1.0.json' with { type: 'json' };
import schemaId10 from './schema-id-1.0.json' with { type: 'json' };
import sleepDuration20 from './sleep-duration-2.0.json' with { type: 'json' };
import sleepEpisode11 from './sleep-episode-1.1.json' with { type: 'json' };
import specimenSource20 from './specimen-source-2.0.json' with { type: 'json' };
import stepCount30 from './step-count-3.0.json' with { type: 'json' };
import temporalRelationshipToMeal10 from './temporal-relationship-to-meal-1.0.json' with { type: 'json' };
import temporalRelationshipToPhysicalActivity10 from './temporal-relationship-to-physical-activity-1.0.json' with { type: 'json' };
import temporalRelationshipToSleep10 from './temporal-relationship-to-sleep-1.0.json' with { type: 'json' };
import timeFrame10 from './time-frame-1.0.json' with { type: 'json' };
import timeInterval10 from './time-interval-1.0.json' with { type: 'json' };
import unitValue10 from './unit-value-1.0.json' with { type: 'json' };

export const schemas: object[] = [
  bloodGlucose40,
  bloodPressure40,
  bodyPosture10,
  bodyTemperature40,
  bodyWeight30,
  dataPoint10,
  dateTime10,
  descriptiveStatistic10,
  durationUnitValue10,
  header10,
  heartRate20,
  measurementLocation10,
  oxygenSaturation20,
  physicalActivity12,
  respiratoryRate20,
  rrInterval10,
  schemaId10,
  sleepDuration20,
  sleepEpisode11,
  specimenSource20,
  stepCount30,
  temporalRelationshipToMeal10,
  temporalRelationshipToPhysicalActivity10,
  temporalRelationshipToSleep10,
  timeFrame10,
  timeInterval10,
  unitValue10,
];
