import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

function App() {
  return (
    <main className="placeholder">
      <h1>Pipewright</h1>
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
