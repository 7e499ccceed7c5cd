# Sourced by scripts/run and scripts/test: installs what is missing from
# Debian's packages, then configures and builds (Release) into $BUILD_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${GLIMPSE_BUILD_DIR:-$ROOT/build}"
JOBS="${GLIMPSE_JOBS:-$(nproc)}"

PACKAGES=(
  g++ cmake make pkg-config
  libcaf-dev
  librocksdb-dev rocksdb-tools
  capnproto libcapnp-dev
  libjpeg62-turbo-dev libturbojpeg0-dev libjpeg-turbo-progs
  libpng-dev libssl-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "glimpse: installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS" "$@"
}
