import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { loadConfig } from "./api";
import { App } from "./App";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(
      <main className="boot-error" role="alert">
        <h1>Ops console</h1>
        <p>config.json could not be read: {String(error)}</p>
      </main>,
    ),
);
