import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Statistics of one numeric unit-value of the Open mHealth bodies (e.g. heart_rate in beats/min), or of the Quantities of other observations',
  simpleResolvers: true,
})
export class QuantitySummary {
  @Field({
    description:
      'the body’s property, e.g. heart_rate, systolic_blood_pressure, step_count; for other observations `value` (valueQuantity) or a component’s code (e.g. 8480-6)',
  })
  name!: string;

  @Field(() => String, { nullable: true, description: 'its unit, e.g. beats/min, mmHg (one row per name and unit)' })
  unit!: string | null;

  @Field(() => Int, { description: 'observations holding it' })
  count!: number;

  @Field(() => Float, { nullable: true })
  min!: number | null;

  @Field(() => Float, { nullable: true })
  max!: number | null;

  @Field(() => Float, { nullable: true })
  mean!: number | null;
}

@ObjectType({
  description: 'The observations of one code (and one day or week, when bucketed) among those the filter matches',
  simpleResolvers: true,
})
export class ObservationSummaryRow {
  @Field(() => Date, { nullable: true, description: 'the bucket’s start at UTC (a day, or a Monday); null with NONE' })
  periodStart!: string | null;

  @Field(() => Int, { description: 'observations in the row' })
  count!: number;

  @Field(() => Date, { nullable: true, description: 'the earliest effective time among them' })
  firstTime!: string | null;

  @Field(() => Date, { nullable: true, description: 'the latest effective time among them' })
  lastTime!: string | null;

  @Field(() => [QuantitySummary], {
    description: 'each numeric unit-value of their bodies (a top-level property `{ value, unit }`), by name and unit',
  })
  quantities!: QuantitySummary[];
}

@ObjectType({ description: 'How many observations the filter matches and when they were', simpleResolvers: true })
export class ObservationDateRange {
  @Field(() => Int)
  count!: number;

  @Field(() => Date, { nullable: true, description: 'the earliest effective time (null: none match)' })
  first!: string | null;

  @Field(() => Date, { nullable: true, description: 'the latest effective time (null: none match)' })
  last!: string | null;
}
