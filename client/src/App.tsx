import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/ui.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { AuthCallback } from './pages/AuthCallback.tsx';
import { CatalogPage } from './pages/CatalogPage.tsx';
import { ClientsPage } from './pages/ClientsPage.tsx';
import { InvitationPage } from './pages/InvitationPage.tsx';
import { Home } from './pages/Home.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { ObservationsPage } from './pages/ObservationsPage.tsx';
import { OrganizationPage } from './pages/OrganizationPage.tsx';
import { PatientPage } from './pages/PatientPage.tsx';
import { PatientsPage } from './pages/PatientsPage.tsx';
import { PractitionersPage } from './pages/PractitionersPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { StudiesPage } from './pages/StudiesPage.tsx';
import { StudyPage } from './pages/StudyPage.tsx';
import { useSession } from './session.tsx';
import { ViewerProvider } from './viewer.tsx';

export function App() {
  const session = useSession();
  return (
    <Routes>
      <Route path="/auth/callback" element={<AuthCallback />} />
      <Route path="/invitation/*" element={<InvitationPage />} />
      <Route
        path="*"
        element={
          session === undefined ? (
            <Loading />
          ) : session === null ? (
            <SignInPage />
          ) : (
            <ViewerProvider>
              <Layout>
                <Routes>
                  <Route index element={<Home />} />
                  <Route path="organizations/:id" element={<OrganizationPage />} />
                  <Route path="organizations/:id/studies" element={<StudiesPage />} />
                  <Route path="organizations/:id/patients" element={<PatientsPage />} />
                  <Route path="studies/:id" element={<StudyPage />} />
                  <Route path="patients/:id" element={<PatientPage />} />
                  <Route path="observations" element={<ObservationsPage />} />
                  <Route path="catalog" element={<CatalogPage />} />
                  <Route path="clients" element={<ClientsPage />} />
                  <Route path="practitioners" element={<PractitionersPage />} />
                  <Route path="audit" element={<AuditPage />} />
                  <Route path="*" element={<NotFound />} />
                </Routes>
              </Layout>
            </ViewerProvider>
          )
        }
      />
    </Routes>
  );
}
