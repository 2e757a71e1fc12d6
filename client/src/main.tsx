import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { Provider } from 'urql';
import { App } from './App.tsx';
import { client } from './client.ts';
import { SessionProvider } from './session.tsx';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <Provider value={client}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </Provider>
    </SessionProvider>
  </StrictMode>,
);
