import { type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type ResolverClass = new () => Record<string, (...params: unknown[]) => unknown>;
type Storage = ReturnType<typeof getMetadataStorage>;
type ResolverMetadata = Storage['fieldResolvers'][number] | Storage['queries'][number];
type ParamMetadata = NonNullable<ResolverMetadata['params']>[number];
type Pick = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

/**
 * type-graphql calls every resolver through a generic wrapper that, on each call, builds a resolver-data
 * object, sorts and maps the method's parameter metadata, converts arguments into instances of their input
 * classes and runs the middleware chain. On a page of 1000 observations, with five resolved fields each, that
 * wrapper was about 10 ms of a 50 ms page; converting an upload of 1000 observations, which rebuilds the input
 * classes' field lists for every one of them, about 14 ms of a Bundle.
 *
 * A query, mutation or field resolver of `resolverClasses` whose parameters are only plain `@Root()`, `@Ctx()`,
 * `@Info()` and `@Arg()`s that convert to themselves (convertsToItself), with no middlewares and no roles, is
 * called directly instead: the same method, with the same arguments. Any other (a typed root to convert, an
 * input class with defaults or methods, a middleware) keeps type-graphql's wrapper. The schema must be built
 * without global middlewares, validation or an auth checker, as buildBareSchema builds it.
 */
export function callResolversDirectly(schema: GraphQLSchema, resolverClasses: readonly unknown[]) {
  const storage = getMetadataStorage();
  const instances = new Map<unknown, InstanceType<ResolverClass>>();
  const replace = (resolver: ResolverMetadata, type: GraphQLObjectType | null | undefined) => {
    if (!resolverClasses.includes(resolver.target) || resolver.middlewares?.length || resolver.roles) return;
    const field = type?.getFields()[resolver.schemaName];
    const picks = directParams(storage, resolver.params ?? []);
    if (!field || !picks) return;
    let instance = instances.get(resolver.target);
    if (!instance) instances.set(resolver.target, (instance = new (resolver.target as ResolverClass)()));
    field.resolve = directResolver(instance, resolver.methodName, picks);
  };
  for (const resolver of storage.queries) replace(resolver, schema.getQueryType());
  for (const resolver of storage.mutations) replace(resolver, schema.getMutationType());
  for (const resolver of storage.fieldResolvers) {
    if (resolver.kind !== 'external') continue;
    const objectClass = resolver.getObjectType?.();
    const typeName = storage.objectTypes.find((type) => type.target === objectClass)?.name;
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    replace(resolver, isObjectType(type) ? type : undefined);
  }
}

/** How to get each parameter in declaration order, or undefined if any needs type-graphql's handling. */
function directParams(storage: Storage, params: readonly ParamMetadata[]): Pick[] | undefined {
  const picks: Pick[] = [];
  for (const param of [...params].sort((a, b) => a.index - b.index)) {
    if (param.index !== picks.length) return undefined;
    const pick = directParam(storage, param);
    if (!pick) return undefined;
    picks.push(pick);
  }
  return picks;
}

function directParam(storage: Storage, param: ParamMetadata): Pick | undefined {
  switch (param.kind) {
    case 'info':
      return (_root, _args, _context, info) => info;
    case 'context':
      return param.propertyName === undefined ? (_root, _args, context) => context : undefined;
    case 'root':
      return param.propertyName === undefined && param.getType === undefined ? (root) => root : undefined;
    case 'arg': {
      const { name } = param;
      return convertsToItself(storage, param.getType()) ? (_root, args) => args[name] : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether type-graphql's conversion of an argument of this type only copies the GraphQL value's fields, which
 * graphql-js has already coerced and defaulted: scalars and enums, and input classes without a superclass,
 * methods or field initializers whose fields all convert to themselves. Then the value is passed as it is.
 */
function convertsToItself(storage: Storage, type: unknown, seen = new Set<unknown>()): boolean {
  const input = storage.inputTypes.find((candidate) => candidate.target === type);
  if (!input) return true;
  if (seen.has(type)) return true;
  seen.add(type);
  const Target = input.target as new () => object;
  const plain =
    Object.getPrototypeOf(Target) === Function.prototype &&
    Object.getOwnPropertyNames(Target.prototype).every((name) => name === 'constructor') &&
    Object.values(new Target()).every((value) => value === undefined);
  return plain && (input.fields ?? []).every((field) => convertsToItself(storage, field.getType(), seen));
}

function directResolver(
  instance: InstanceType<ResolverClass>,
  methodName: string,
  picks: Pick[],
): GraphQLFieldResolver<unknown, unknown, Record<string, unknown>> {
  const method = instance[methodName]!;
  if (picks.length > 3) {
    return (root, args, context, info) =>
      method.apply(
        instance,
        picks.map((pick) => pick(root, args, context, info)),
      );
  }
  // no array per call: a page of 1000 observations calls these 5000 times
  const [a = none, b = none, c = none] = picks;
  return (root, args, context, info) =>
    method.call(instance, a(root, args, context, info), b(root, args, context, info), c(root, args, context, info));
}

const none: Pick = () => undefined;
