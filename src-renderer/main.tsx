import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the browser edition. */
    pipewright?: { readonly version: string };
  }
}

function App() {
  const version = window.pipewright?.version;
  return (
    <main className="placeholder">
      <h1>Pipewright{version ? <span className="version">{version}</span> : null}</h1>
      <p>The canvas arrives in the next release.</p>
      <p>
        Until then, use the CLI: <code>pipewright --help</code>
      </p>
    </main>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html is missing the #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
