#!/usr/bin/env bash
# Every test: install, build (Release, then ASan+UBSan), run ctest on both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash deploy/install-deps.sh
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}

# The checked-in style, on every C++ file.
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror
echo "clang-format: every C++ file follows .clang-format"

bash deploy/build.sh
(cd build && ctest -j2 --output-on-failure)

BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo bash deploy/build.sh -DBACKTESTD_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$root/deploy/ubsan.supp \
   ctest -j2 --output-on-failure)
