import { useMutation } from 'urql';
import { graphql } from '../graphql.ts';
import { PickList } from './PickList.tsx';
import { ErrorNote, Section } from './ui.tsx';

const AddDataSource = graphql(`
  mutation AddStudyDataSource($studyId: ID!, $dataSourceId: ID!) {
    addStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) {
      id
      dataSources {
        id
        name
      }
    }
  }
`);
const RemoveDataSource = graphql(`
  mutation RemoveStudyDataSource($studyId: ID!, $dataSourceId: ID!) {
    removeStudyDataSource(studyId: $studyId, dataSourceId: $dataSourceId) {
      id
      dataSources {
        id
        name
      }
    }
  }
`);
const AddScope = graphql(`
  mutation AddStudyScopeRequest($studyId: ID!, $codeableConceptId: ID!) {
    addStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeableConceptId) {
      id
      scopeRequests {
        id
        text
        codingCode
      }
    }
  }
`);
const RemoveScope = graphql(`
  mutation RemoveStudyScopeRequest($studyId: ID!, $codeableConceptId: ID!) {
    removeStudyScopeRequest(studyId: $studyId, codeableConceptId: $codeableConceptId) {
      id
      scopeRequests {
        id
        text
        codingCode
      }
    }
  }
`);

interface Named {
  id: string;
  name: string;
}
interface Concept {
  id: string;
  text: string;
  codingCode: string;
}

export function StudySetup(props: {
  studyId: string;
  editable: boolean;
  dataSources: readonly Named[];
  scopeRequests: readonly Concept[];
  catalog: { dataSources: readonly Named[]; codeableConcepts: readonly Concept[] };
}) {
  const { studyId, editable } = props;
  const [addedSource, addSource] = useMutation(AddDataSource);
  const [removedSource, removeSource] = useMutation(RemoveDataSource);
  const [addedScope, addScope] = useMutation(AddScope);
  const [removedScope, removeScope] = useMutation(RemoveScope);
  const conceptLabel = (c: Concept) => `${c.text} (${c.codingCode})`;
  return (
    <div className="columns">
      <Section title="Data sources">
        <PickList
          items={props.dataSources}
          options={props.catalog.dataSources}
          label={(d) => d.name}
          noun="data source"
          editable={editable}
          onAdd={(dataSourceId) => void addSource({ studyId, dataSourceId })}
          onRemove={(dataSourceId) => void removeSource({ studyId, dataSourceId })}
        />
        <ErrorNote error={addedSource.error ?? removedSource.error} />
      </Section>
      <Section title="Scope requests">
        <PickList
          items={props.scopeRequests}
          options={props.catalog.codeableConcepts}
          label={conceptLabel}
          noun="scope"
          editable={editable}
          onAdd={(codeableConceptId) => void addScope({ studyId, codeableConceptId })}
          onRemove={(codeableConceptId) => void removeScope({ studyId, codeableConceptId })}
        />
        <ErrorNote error={addedScope.error ?? removedScope.error} />
      </Section>
    </div>
  );
}
