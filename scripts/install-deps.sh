#!/usr/bin/env bash
# Installs the Debian packages Retina needs to build, test and run the demo.
# Idempotent: does nothing (and touches no network) when everything is already installed.
set -euo pipefail

PKGS=(
  pkg-config ffmpeg
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev   # FFmpeg decode (Swift C shims)
  libsqlite3-dev sqlite3                                         # event store
  postgresql                                                     # the multi-machine store (tests start a server on loopback)
  gir1.2-gst-rtsp-server-1.0 python3-gi                          # scripts/rtsp-server.py
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  hyperfine                                                      # Benchmarks
  curl                                                           # office tests read the live stream
  python3-venv                                                   # scripts/fuzz-office.sh: schemathesis from PyPI in a venv
  chromium chromium-driver                                       # the office page, tested in a real browser
)

# Only packages whose status is exactly "install ok installed" count as present.
missing=()
for p in "${PKGS[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PKGS[@]} packages already installed"
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"

# Root installs directly; otherwise fall back to sudo when available.
SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# Refresh the package lists only if some package has no install candidate
# (fresh containers often ship with empty lists); saves a network round-trip otherwise.
for p in "${missing[@]}"; do
  cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -z "$cand" || "$cand" == "(none)" ]]; then
    echo "install-deps: no candidate for $p, running apt-get update"
    "${SUDO[@]}" apt-get update -qq
    break
  fi
done

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
