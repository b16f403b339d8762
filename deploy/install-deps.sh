#!/usr/bin/env bash
# Installs what backtestd builds and runs with on Debian bookworm: compilers
# and libraries from apt, PostgreSQL 15's server binaries (the embedded
# database), prometheus-cpp (metrics) with promtool and logrotate (their
# configurations are tested), Node.js/npm for the web assets, and the npm
# packages in web/.
# Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates curl
  libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev
  libboost-program-options1.81-dev libboost-url1.81-dev
  clang-format tzdata
  libssl-dev openssl libcaf-dev libpqxx-dev postgresql-15 zlib1g-dev
  prometheus-cpp-dev prometheus logrotate chromium libbenchmark-dev
)
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Swagger UI for /docs and ReDoc for /redoc, the application's tool chain
# (TypeScript, Vite) and playwright-core for its browser tests, pinned by
# web/package-lock.json (ReDoc's standalone bundle needs none of its React
# peers installed). Then the application is built into web/dist.
if [ ! -f web/node_modules/swagger-ui-dist/swagger-ui-bundle.js ] \
   || [ ! -f web/node_modules/redoc/bundles/redoc.standalone.js ] \
   || [ ! -f web/node_modules/vite/package.json ] \
   || [ ! -f web/node_modules/playwright-core/package.json ]; then
  (cd web && npm ci --omit=peer --no-audit --no-fund --loglevel=error)
fi
(cd web && npm run --silent build >/dev/null)
