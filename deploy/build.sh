#!/usr/bin/env bash
# Configures and builds into ./build (or $BUILD_DIR), Release, with ccache.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@"
cmake --build "$build_dir" -j "$(nproc)"
