#!/usr/bin/env bash
# Installs the CUDA toolkit (nvcc 11.8 from Debian bookworm's non-free
# component) plus the driver library and headers that a `-tags cuda` build
# needs. Does nothing when nvcc is already on PATH (or in /usr/local/cuda).
# Run as root (or with sudo available). About 3 minutes on a fresh machine.
#
#   scripts/install-cuda.sh          # install if missing
#   FORCE=1 scripts/install-cuda.sh  # install even if nvcc is present
set -euo pipefail

if [[ "${FORCE:-0}" != 1 ]]; then
	if command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; then
		if [[ -e /usr/include/cuda.h || -e /usr/local/cuda/include/cuda.h ]]; then
			echo "install-cuda: nvcc already installed: $(command -v nvcc || echo /usr/local/cuda/bin/nvcc)"
			exit 0
		fi
	fi
fi

SUDO=""
if [[ $(id -u) != 0 ]]; then
	SUDO="sudo"
fi

# Enable contrib, non-free and non-free-firmware on every Debian source.
# Handles both the deb822 format (/etc/apt/sources.list.d/*.sources,
# "Components: main") and the one-line format (/etc/apt/sources.list).
enable_components() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f "$f" ]] || continue
		grep -q 'debian' "$f" || continue
		$SUDO sed -i -E '/^Components:/{
			/ contrib( |$)/! s/$/ contrib/
			/ non-free( |$)/! s/$/ non-free/
			/ non-free-firmware( |$)/! s/$/ non-free-firmware/
		}' "$f"
	done
	if [[ -f /etc/apt/sources.list ]]; then
		$SUDO sed -i -E '/^deb(-src)? .*debian/{
			/ contrib( |$)/! s/$/ contrib/
			/ non-free( |$)/! s/$/ non-free/
			/ non-free-firmware( |$)/! s/$/ non-free-firmware/
		}' /etc/apt/sources.list
	fi
}

enable_components
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
	nvidia-cuda-toolkit nvidia-cuda-dev libcuda1
command -v nvcc >/dev/null && nvcc --version | tail -n 2
