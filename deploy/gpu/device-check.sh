#!/usr/bin/env bash
# Runs Sieve's model work on the GPU machine: builds DJL's PyTorch JNI (libdjl_torch.so) against the
# machine's libtorch, points DJL at both, and runs dev.sieve.pipeline.DeviceCheck from the jlink
# runtime that deploy/gpu/prepare-carry.sh packed into .gpu-carry/. No JDK, Maven or network needed.
# See docs/deploy.md, "Running on the GPU machine".
#
#   deploy/gpu/device-check.sh [--device gpu|cpu|auto] [-- DeviceCheck options...]
#
# Results go to $OUT (default .gpu-work/out): device-check.jsonl (one JSON object per phase),
# steps.log, jni-build.log, java.log, nvidia-smi.csv, env.txt. Exit status: DeviceCheck's (0: all
# ran and the device's predictions equal the CPU's; 1: they differ; 2: device refused), or 10+ for
# a failed step of this script.
#
# libtorch comes from Python's torch unless these are set (the rehearsal on a machine without it):
#   TORCH_CMAKE_PREFIX  CMake prefix with TorchConfig.cmake   (torch.utils.cmake_prefix_path)
#   TORCH_LIB           directory of libtorch.so              (torch/lib)
#   TORCH_VERSION       e.g. 2.11.0                           (torch.__version__ without +cuXXX)
#   TORCH_FLAVOR        cpu or cuXYZ                          (cu + torch.version.cuda without the dot)
#   TORCH_LIB_FILTER    regex of the TORCH_LIB files DJL is shown (default: all; a system lib dir needs a filter)
# DJL_JNI_USE_CUDA=1 compiles the JNI's optional CUDA parts (a separate inference stream, emptyCache);
# Sieve needs neither. CPU_TOO=1 runs the same check with --device cpu after the device run.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRY="${CARRY:-$ROOT/.gpu-carry}"
WORK="${WORK:-$ROOT/.gpu-work}"
OUT="${OUT:-$WORK/out}"
DEVICE=gpu
if [ "${1:-}" = "--device" ]; then DEVICE="$2"; shift 2; fi
[ "${1:-}" = "--" ] && shift
mkdir -p "$WORK" "$OUT"
STEPS="$OUT/steps.log"
step() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$STEPS" >&2; }
fail() { step "FAILED: $2"; exit "$1"; }
SECONDS=0

step "device-check: device=$DEVICE carry=$CARRY work=$WORK out=$OUT"
{ uname -a; nproc; free -g 2>/dev/null; nvidia-smi 2>&1 || echo "no nvidia-smi"; cat "$CARRY/MANIFEST"; } > "$OUT/env.txt" 2>&1

# 1. Unpack the runtime, jars and JNI sources, and the data (Python's tarfile and lzma: no xz binary needed).
if [ ! -x "$WORK/sieve-gpu/jre/bin/java" ]; then
  python3 - "$CARRY" "$WORK" <<'PY' || fail 11 "unpacking $CARRY"
import lzma, os, sys, tarfile
carry, work = sys.argv[1], sys.argv[2]
with tarfile.open(os.path.join(carry, "sieve-gpu.tar.xz"), "r:xz") as t:
    t.extractall(work)
os.makedirs(os.path.join(work, "data"), exist_ok=True)
for name in os.listdir(os.path.join(carry, "data")):
    with lzma.open(os.path.join(carry, "data", name)) as src, open(os.path.join(work, "data", name[:-3]), "wb") as dst:
        dst.write(src.read())
PY
fi
JRE="$WORK/sieve-gpu/jre"
"$JRE/bin/java" -version >> "$OUT/env.txt" 2>&1 || fail 11 "the jlink runtime does not start"
step "unpacked ($SECONDS s)"

# 2. What libtorch is here.
if [ -z "${TORCH_LIB:-}" ]; then
  read -r TORCH_CMAKE_PREFIX TORCH_LIB TORCH_VERSION TORCH_FLAVOR TORCH_CXX11_ABI < <(python3 -c '
import os, torch
print(torch.utils.cmake_prefix_path, os.path.join(os.path.dirname(torch.__file__), "lib"),
      torch.__version__.split("+")[0], "cu" + torch.version.cuda.replace(".", "") if torch.version.cuda else "cpu",
      int(torch._C._GLIBCXX_USE_CXX11_ABI))') || fail 12 "python3 cannot import torch"
fi
TORCH_CXX11_ABI="${TORCH_CXX11_ABI:-1}"
TORCH_INCLUDE="${TORCH_INCLUDE:-$(dirname "$TORCH_LIB")/include}"
step "libtorch $TORCH_VERSION flavor $TORCH_FLAVOR in $TORCH_LIB (cmake prefix $TORCH_CMAKE_PREFIX, cxx11 abi $TORCH_CXX11_ABI)"

# 3. DJL's JNI against it: CMake + Ninja as DJL's build.sh does (JAVA_HOME: the jlink runtime, which
# has include/jni.h and lib/server/libjvm.so for FindJNI); if CMake cannot configure (the CUDA
# toolkit checks of TorchConfig), the same sources with g++ directly.
SRC="$WORK/sieve-gpu/djl/engines/pytorch/pytorch-native"
BUILD="$WORK/jni-build/$TORCH_VERSION-$TORCH_FLAVOR"
case "$TORCH_VERSION" in 1.13.1|2.0.*|2.1.*) PT_VERSION=V1_13_X ;; *) PT_VERSION= ;; esac
if [ ! -f "$BUILD/libdjl_torch.so" ]; then
  mkdir -p "$BUILD"
  CUDA_FLAG=()
  [ "${DJL_JNI_USE_CUDA:-0}" = 1 ] && CUDA_FLAG=(-DUSE_CUDA=1)
  if [ "${JNI_DIRECT:-0}" != 1 ] && JAVA_HOME="$JRE" cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$TORCH_CMAKE_PREFIX" -DPT_VERSION="$PT_VERSION" "${CUDA_FLAG[@]}" > "$OUT/jni-build.log" 2>&1; then
    step "cmake configured ($SECONDS s); ninja -j$(nproc) ..."
    ninja -C "$BUILD" -j "$(nproc)" >> "$OUT/jni-build.log" 2>&1 || fail 13 "ninja: see jni-build.log"
  else
    step "cmake did not configure (see jni-build.log); compiling with g++ directly ..."
    ls "$SRC"/src/main/native/*.cc | xargs -P "$(nproc)" -I{} sh -c 'g++ -c -O2 -fPIC -std=c++17 \
        -D_GLIBCXX_USE_CXX11_ABI='"$TORCH_CXX11_ABI"' '"${PT_VERSION:+-D$PT_VERSION}"' \
        -I"'"$TORCH_INCLUDE"'" -I"'"$TORCH_INCLUDE"'/torch/csrc/api/include" -I"'"$JRE"'/include" \
        -I"'"$JRE"'/include/linux" -I"'"$SRC"'/build/include" -I"'"$WORK"'/sieve-gpu/djl/api/src/main/native" \
        -o "'"$BUILD"'/$(basename {} .cc).o" {}' >> "$OUT/jni-build.log" 2>&1 || fail 13 "g++: see jni-build.log"
    g++ -shared -o "$BUILD/libdjl_torch.so" "$BUILD"/*.o -L"$TORCH_LIB" -ltorch -ltorch_cpu -lc10 \
        -Wl,-rpath,'$ORIGIN' >> "$OUT/jni-build.log" 2>&1 || fail 13 "linking libdjl_torch.so: see jni-build.log"
  fi
fi
step "libdjl_torch.so built ($SECONDS s)"

# 4. Where DJL looks. With PYTORCH_LIBRARY_PATH set, DJL loads every lib*.so* in that directory
# (so it gets a directory of its own, not a system lib dir) and takes libdjl_torch.so from the
# same directory first; PYTORCH_VERSION and PYTORCH_FLAVOR name the build (docs/deploy.md).
LIBDIR="$WORK/torch-lib/$TORCH_VERSION-$TORCH_FLAVOR"
rm -rf "$LIBDIR" && mkdir -p "$LIBDIR"
ls -1 "$TORCH_LIB" | grep -E '^lib.*\.so' | grep -E "${TORCH_LIB_FILTER:-.}" | while read -r name; do
  ln -s "$TORCH_LIB/$name" "$LIBDIR/$name"
done
cp "$BUILD/libdjl_torch.so" "$LIBDIR/"
# The wheel's CUDA libraries live beside torch in site-packages/nvidia/*/lib, found through RPATHs
# relative to torch/lib; the loader gets them all on LD_LIBRARY_PATH, in case a symlink's $ORIGIN differs.
NVIDIA="$(dirname "$(dirname "$TORCH_LIB")")/nvidia"
NVLIBS=$( [ -d "$NVIDIA" ] && find "$NVIDIA" -name 'lib*.so*' -printf '%h\n' | sort -u | tr '\n' ':')
export LD_LIBRARY_PATH="$TORCH_LIB:${NVLIBS}${LD_LIBRARY_PATH:-}"
# DJL counts GPUs through JNA's Native.load("cudart"): give it a libcudart.so (the wheel has only .so.N).
mkdir -p "$WORK/jna"
CUDART=$( { [ -d "$NVIDIA" ] && find "$NVIDIA" -name 'libcudart.so*'; ls /usr/local/cuda/lib64/libcudart.so* 2>/dev/null; } | head -1)
[ -n "$CUDART" ] && ln -sf "$CUDART" "$WORK/jna/libcudart.so"
echo "cudart for DJL's GPU count: ${CUDART:-none}" >> "$OUT/env.txt"

# 5. Run, sampling the GPU's memory and utilisation meanwhile.
SMI_PID=
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=timestamp,name,memory.used,memory.total,utilization.gpu --format=csv -lms 500 \
    > "$OUT/nvidia-smi.csv" 2>&1 &
  SMI_PID=$!
fi
run_check() {
  PYTORCH_LIBRARY_PATH="$LIBDIR" PYTORCH_VERSION="$TORCH_VERSION" PYTORCH_FLAVOR="$TORCH_FLAVOR" \
  DJL_CACHE_DIR="$WORK/djl-cache" \
  "$JRE/bin/java" ${JAVA_OPTS:--Xmx8g} -Dai.djl.offline=true -Djna.library.path="$WORK/jna" \
    -cp "$WORK/sieve-gpu/jars/*" dev.sieve.pipeline.DeviceCheck --data "$WORK/data" --out "$OUT/device-check.jsonl" "$@"
}
step "DeviceCheck --device $DEVICE $* ..."
run_check --device "$DEVICE" "$@" > "$OUT/java.log" 2>&1
status=$?
if [ "${CPU_TOO:-0}" = 1 ] && [ "$DEVICE" != cpu ]; then
  step "DeviceCheck --device cpu $* ..."
  run_check --device cpu "$@" >> "$OUT/java.log" 2>&1
fi
[ -n "$SMI_PID" ] && kill "$SMI_PID" 2>/dev/null
step "DeviceCheck exited $status ($SECONDS s in all)"
grep '^{' "$OUT/java.log" >&2
exit "$status"
