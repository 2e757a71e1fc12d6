import 'reflect-metadata';
import { graphql, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  buildSchema,
  Ctx,
  Field,
  FieldResolver,
  Info,
  InputType,
  Int,
  type MiddlewareFn,
  ObjectType,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { callResolversDirectly } from '../graphql/direct-resolvers.js';

interface Context {
  unit: string;
  calls: string[];
}

@ObjectType({ simpleResolvers: true })
class Parcel {
  @Field(() => Int)
  grams!: number;
}

@InputType()
class LabelInput {
  @Field()
  text!: string;
}

/** Plain: the GraphQL value itself is as good as an instance. */
@InputType()
class BoxInput {
  @Field(() => Int)
  grams!: number;

  @Field(() => [LabelInput], { nullable: true })
  labels?: LabelInput[];
}

/** A field initializer only type-graphql's conversion applies. */
@InputType()
class DefaultedBoxInput {
  @Field(() => Int)
  grams!: number;

  @Field({ nullable: true })
  unit: string = 'g';
}

/** What the resolvers get as the root: a plain row, as the services give them, not a Parcel. */
interface ParcelRow {
  grams: number;
}

const recorded: MiddlewareFn<Context> = async ({ context }, next) => {
  context.calls.push('middleware');
  return next();
};

@Resolver(() => Parcel)
class ParcelResolver {
  private readonly scale = 1000;

  @Query(() => [Parcel])
  parcels(): ParcelRow[] {
    return [{ grams: 1500 }, { grams: 250 }];
  }

  @Query(() => String)
  box(@Arg('box', () => BoxInput) box: BoxInput, @Arg('note', { nullable: true }) note?: string): string {
    return `${box instanceof BoxInput} ${box.grams} ${box.labels?.map((label) => label.text).join('+')} ${note}`;
  }

  @Query(() => String)
  defaultedBox(@Arg('box', () => DefaultedBoxInput) box: DefaultedBoxInput): string {
    return `${box instanceof DefaultedBoxInput} ${box.grams}${box.unit}`;
  }

  @FieldResolver(() => String)
  weight(@Root() parcel: ParcelRow, @Ctx() ctx: Context): string {
    return `${parcel.grams / this.scale} ${ctx.unit}`;
  }

  @FieldResolver(() => String)
  backwards(@Info() info: GraphQLResolveInfo, @Ctx() ctx: Context, @Root() parcel: ParcelRow): string {
    return `${info.fieldName} ${ctx.unit} ${parcel.grams}`;
  }

  @FieldResolver(() => Int)
  times(@Root() parcel: ParcelRow, @Arg('factor', () => Int) factor: number): number {
    return parcel.grams * factor;
  }

  @FieldResolver(() => Int)
  typed(@Root() parcel: Parcel): number {
    return parcel instanceof Parcel ? parcel.grams : -1;
  }

  @FieldResolver(() => Int)
  @UseMiddleware(recorded)
  watched(@Root() parcel: ParcelRow): number {
    return parcel.grams;
  }
}

async function parcelSchema() {
  const schema = await buildSchema({ resolvers: [ParcelResolver], validate: false });
  const fields = Object.values({
    ...(schema.getType('Parcel') as GraphQLObjectType).getFields(),
    ...schema.getQueryType()!.getFields(),
  });
  const before = new Map(fields.map((field) => [field, field.resolve]));
  callResolversDirectly(schema, [ParcelResolver]);
  const replaced = fields.filter((field) => field.resolve !== before.get(field)).map((field) => field.name);
  return { schema, replaced };
}

describe('callResolversDirectly', () => {
  it('replaces the wrapper of resolvers that take only @Root, @Ctx, @Info and plain @Args, and keeps it for any other', async () => {
    const { replaced } = await parcelSchema();
    expect(replaced.sort()).toEqual(['backwards', 'box', 'parcels', 'times', 'weight']);
  });

  it('passes a plain input as GraphQL coerced it; an input with a default still gets its instance', async () => {
    const { schema } = await parcelSchema();
    const result = await graphql({
      schema,
      source: '{ box(box: { grams: 5, labels: [{ text: "a" }, { text: "b" }] }) defaultedBox(box: { grams: 7 }) }',
      contextValue: { unit: 'kg', calls: [] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ box: 'false 5 a+b undefined', defaultedBox: 'true 7g' });
  });

  it('gives a direct resolver its parameters in declared order, on an instance of its class', async () => {
    const { schema } = await parcelSchema();
    const context: Context = { unit: 'kg', calls: [] };
    const result = await graphql({
      schema,
      source: '{ parcels { weight backwards times(factor: 2) typed watched } }',
      contextValue: context,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      parcels: [
        { weight: '1.5 kg', backwards: 'backwards kg 1500', times: 3000, typed: 1500, watched: 1500 },
        { weight: '0.25 kg', backwards: 'backwards kg 250', times: 500, typed: 250, watched: 250 },
      ],
    });
    // the fields that kept type-graphql's wrapper still convert a typed root and run their middleware
    expect(context.calls).toEqual(['middleware', 'middleware']);
  });
});
