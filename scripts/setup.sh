#!/usr/bin/env bash
# One-command set-up for a fresh Debian 12 machine (README, Quick start).
#   bash scripts/setup.sh run    install what is missing, build Release, run configs/default.ini into out/default/
#   bash scripts/setup.sh test   install what is missing (with the test clients, OpenMPI and Slurm), build with
#                                the MPI sweep backend, run the test suite (labels mpi and slurm included)
# Installing needs root; otherwise the script prints the apt-get line to run and stops.
set -euo pipefail
mode=${1:-run}
case "$mode" in run|test) ;; *) echo "usage: bash scripts/setup.sh run|test" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

build_pkgs=(cmake make g++ git libeigen3-dev libhdf5-dev libboost-program-options-dev catch2 hdf5-tools)
python_pkgs=(python3 python3-numpy python3-h5py python3-matplotlib python3-xarray python3-h5netcdf python3-netcdf4 netcdf-bin)
test_pkgs=(xvfb xauth python3-paraview libopenmpi-dev openmpi-bin slurmctld slurmd slurm-client munge)
want=("${build_pkgs[@]}" "${python_pkgs[@]}")
[[ $mode == test ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "mnsim setup: missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "mnsim setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
options=()
# Tests build the MPI sweep backend and start a real single-node Slurm cluster (as root).
[[ $mode == test ]] && options+=(-DMNSIM_MPI=ON -DMNSIM_TEST_SLURM=ON)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "${options[@]}" >/dev/null
cmake --build build -j"$jobs"

if [[ $mode == run ]]; then
  ./build/mnsim run configs/default.ini -o out/default --overwrite --progress
else
  cd build
  ctest --output-on-failure -LE slow
fi
