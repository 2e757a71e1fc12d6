import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/** The fields selected directly in these selection sets, through fragment spreads and inline fragments. */
function fieldsIn(sets: readonly (SelectionSetNode | undefined)[], fragments: GraphQLResolveInfo['fragments']) {
  const fields: FieldNode[] = [];
  const walk = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else walk(fragments[selection.name.value]?.selectionSet);
    }
  };
  sets.forEach(walk);
  return fields;
}

/**
 * The names of the fields selected directly under the field being resolved, or, given `subfield`, under that
 * field of it (all its occurrences merged), through fragments.
 */
export function selectedFields(info: GraphQLResolveInfo, subfield?: string): Set<string> {
  let fields = fieldsIn(
    info.fieldNodes.map((node) => node.selectionSet),
    info.fragments,
  );
  if (subfield !== undefined) {
    const under = fields.filter((field) => field.name.value === subfield).map((field) => field.selectionSet);
    fields = fieldsIn(under, info.fragments);
  }
  return new Set(fields.map((field) => field.name.value));
}

/** Whether a selection asks for nothing but the object's id (which a reference already holds). */
export const selectsOnlyId = (fields: Set<string>) =>
  [...fields].every((name) => name === 'id' || name === '__typename');
