/** Every schema of omh/: the IEEE 1752.1 utilities and the Open mHealth measures, for the validator to compile. */
import ieeeBodyPosture10 from './ieee/body-posture-1.0.json' with { type: 'json' };
import ieeeDataPoint10 from './ieee/data-point-1.0.json' with { type: 'json' };
import ieeeDateTime10 from './ieee/date-time-1.0.json' with { type: 'json' };
import ieeeDescriptiveStatistic10 from './ieee/descriptive-statistic-1.0.json' with { type: 'json' };
import ieeeDurationUnitValue10 from './ieee/duration-unit-value-1.0.json' with { type: 'json' };
import ieeeHeader10 from './ieee/header-1.0.json' with { type: 'json' };
import ieeeSchemaId10 from './ieee/schema-id-1.0.json' with { type: 'json' };
import ieeeTemperatureUnitValue10 from './ieee/temperature-unit-value-1.0.json' with { type: 'json' };
import ieeeTimeFrame10 from './ieee/time-frame-1.0.json' with { type: 'json' };
import ieeeTimeInterval10 from './ieee/time-interval-1.0.json' with { type: 'json' };
import ieeeUnitValue10 from './ieee/unit-value-1.0.json' with { type: 'json' };
import omhActivityName10 from './omh/activity-name-1.0.json' with { type: 'json' };
import omhBloodGlucose40 from './omh/blood-glucose-4.0.json' with { type: 'json' };
import omhBloodPressure40 from './omh/blood-pressure-4.0.json' with { type: 'json' };
import omhBodyLocation11 from './omh/body-location-1.1.json' with { type: 'json' };
import omhBodyTemperature40 from './omh/body-temperature-4.0.json' with { type: 'json' };
import omhBodyWeight30 from './omh/body-weight-3.0.json' with { type: 'json' };
import omhDiastolicBloodPressure11 from './omh/diastolic-blood-pressure-1.1.json' with { type: 'json' };
import omhHeartRate20 from './omh/heart-rate-2.0.json' with { type: 'json' };
import omhKcalUnitValue10 from './omh/kcal-unit-value-1.0.json' with { type: 'json' };
import omhLengthUnitValue10 from './omh/length-unit-value-1.0.json' with { type: 'json' };
import omhMassUnitValue10 from './omh/mass-unit-value-1.0.json' with { type: 'json' };
import omhOxygenSaturation20 from './omh/oxygen-saturation-2.0.json' with { type: 'json' };
import omhPhysicalActivity12 from './omh/physical-activity-1.2.json' with { type: 'json' };
import omhRespiratoryRate20 from './omh/respiratory-rate-2.0.json' with { type: 'json' };
import omhRrInterval10 from './omh/rr-interval-1.0.json' with { type: 'json' };
import omhSleepDuration20 from './omh/sleep-duration-2.0.json' with { type: 'json' };
import omhSleepEpisode11 from './omh/sleep-episode-1.1.json' with { type: 'json' };
import omhSpecimenSource20 from './omh/specimen-source-2.0.json' with { type: 'json' };
import omhStepCount30 from './omh/step-count-3.0.json' with { type: 'json' };
import omhSystolicBloodPressure11 from './omh/systolic-blood-pressure-1.1.json' with { type: 'json' };
import omhTemporalRelationshipToMeal10 from './omh/temporal-relationship-to-meal-1.0.json' with { type: 'json' };
import omhTemporalRelationshipToPhysicalActivity10 from './omh/temporal-relationship-to-physical-activity-1.0.json' with { type: 'json' };
import omhTemporalRelationshipToSleep10 from './omh/temporal-relationship-to-sleep-1.0.json' with { type: 'json' };

export const schemas: object[] = [
  ieeeBodyPosture10,
  ieeeDataPoint10,
  ieeeDateTime10,
  ieeeDescriptiveStatistic10,
  ieeeDurationUnitValue10,
  ieeeHeader10,
  ieeeSchemaId10,
  ieeeTemperatureUnitValue10,
  ieeeTimeFrame10,
  ieeeTimeInterval10,
  ieeeUnitValue10,
  omhActivityName10,
  omhBloodGlucose40,
  omhBloodPressure40,
  omhBodyLocation11,
  omhBodyTemperature40,
  omhBodyWeight30,
  omhDiastolicBloodPressure11,
  omhHeartRate20,
  omhKcalUnitValue10,
  omhLengthUnitValue10,
  omhMassUnitValue10,
  omhOxygenSaturation20,
  omhPhysicalActivity12,
  omhRespiratoryRate20,
  omhRrInterval10,
  omhSleepDuration20,
  omhSleepEpisode11,
  omhSpecimenSource20,
  omhStepCount30,
  omhSystolicBloodPressure11,
  omhTemporalRelationshipToMeal10,
  omhTemporalRelationshipToPhysicalActivity10,
  omhTemporalRelationshipToSleep10,
];
