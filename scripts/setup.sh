#!/usr/bin/env bash
# Installs what merit needs to build and test, skipping what is already there.
# C++ libraries come from Debian packages; Python tools from PyPI. README.md says why each is here.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libsimdjson-dev libyaml-cpp-dev libfmt-dev libcli11-dev libre2-dev libutf8proc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libgmp-dev libmpfr-dev            # math: exact arithmetic, rigorous interval bounds
  libsqlite3-dev                    # sql.*: real SQLite execution
  bubblewrap libseccomp-dev         # code.tests: namespaces sandbox + syscall filter
  libcpp-httplib-dev wrk            # merit serve, and its load test
  libcurl4-openssl-dev libssl-dev   # model backends: async HTTP client (curl multi); SHA-256 cache keys
  clang libclang-rt-14-dev   # libFuzzer smoke runs (fuzz preset)
)
PIP_PACKAGES=(scikit-build-core nanobind pytest)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c "import scikit_build_core, nanobind, pytest" 2>/dev/null; then
  echo "setup: installing Python packages: ${PIP_PACKAGES[*]}" >&2
  "$PYTHON" -m pip install -q "${PIP_PACKAGES[@]}"
fi
