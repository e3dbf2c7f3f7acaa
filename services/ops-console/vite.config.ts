import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console is static files: /config.json (served beside them) tells it where the services are.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    chunkSizeWarningLimit: 600,
  },
});
