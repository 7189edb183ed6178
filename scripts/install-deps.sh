#!/usr/bin/env bash
# Installs the Debian packages Retina needs to build, test and run the demo, and ONNX Runtime's C
# library (learned detectors; Debian does not package it) from its PyPI wheel into /usr/local/lib.
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
  python3-pip unzip                                              # ONNX Runtime's C library, from its PyPI wheel (below)
  chromium chromium-driver                                       # the office page, tested in a real browser
  fonts-noto-cjk                                                 # its Chinese, in the browser and on screenshots
  libmosquitto-dev mosquitto mosquitto-clients                   # linkage out over MQTT (tests run a real broker)
  libjs-chart.js                                                 # the office's crowd charts, served by Retina (no CDN)
)

ORT_VERSION=1.31.1
ORT_LIB=/usr/local/lib/libonnxruntime.so.$ORT_VERSION

# Root installs directly; otherwise fall back to sudo when available.
SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# The wheel carries the C library (no headers: Sources/COnnxRuntime declares what Retina uses and
# loads the library at run time). Debian's own python3 and pip download it: pip only downloads
# here, so Debian's "externally managed" rule does not apply. Needs python3-pip and unzip, so it
# runs after the Debian packages.
install_onnxruntime() {
  if [[ -f "$ORT_LIB" && -e /usr/local/lib/libonnxruntime.so ]]; then
    echo "install-deps: ONNX Runtime $ORT_VERSION already in /usr/local/lib"
    return
  fi
  local tmp
  tmp="$(mktemp -d)"
  /usr/bin/python3 -m pip download --quiet --no-deps --only-binary=:all: \
    "onnxruntime==$ORT_VERSION" -d "$tmp"
  unzip -q -j -o "$tmp"/onnxruntime-"$ORT_VERSION"-*.whl "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" -d "$tmp"
  "${SUDO[@]}" install -m 0755 "$tmp/libonnxruntime.so.$ORT_VERSION" "$ORT_LIB"
  "${SUDO[@]}" ln -sf "libonnxruntime.so.$ORT_VERSION" /usr/local/lib/libonnxruntime.so
  "${SUDO[@]}" ldconfig
  rm -rf "$tmp"
  echo "install-deps: ONNX Runtime $ORT_VERSION installed in /usr/local/lib"
}

# Only packages whose status is exactly "install ok installed" count as present.
missing=()
for p in "${PKGS[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PKGS[@]} packages already installed"
  install_onnxruntime
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"


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
install_onnxruntime
echo "install-deps: done"
