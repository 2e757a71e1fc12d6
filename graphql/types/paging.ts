import type { ClassType } from 'type-graphql';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Keyset paging: pass endCursor as `after` to get the next page.', simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'page size, default 100, at most 1000' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'the endCursor of the previous page' })
  after?: string | null;
}

/** What connection resolvers return; `totalCount` is only computed when a client asks for it. */
export interface ConnectionValue<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: Promise<number> | number;
}

/** A Relay-style connection type (edges with cursors, nodes, pageInfo, totalCount) for `node`. */
export function Connection<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => node)
    node!: T;

    @Field()
    cursor!: string;
  }

  // not simpleResolvers: totalCount and a nested connection's page are promises or lazy getters, which
  // graphql-jit (the FHIR facade) resolves only through a resolver
  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'all matching rows the viewer may see, across pages' })
    totalCount!: number;
  }
  return ConnectionType;
}
