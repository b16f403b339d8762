// The single-page application, built into dist/ and served by backtestd at /
// (index.html, and hashed files under /assets/). No CDN: every asset is here.
import { defineConfig } from "vite";

export default defineConfig({
  root: ".",
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
});
