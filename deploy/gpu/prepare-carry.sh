#!/usr/bin/env bash
# Prepares .gpu-carry/ on the development machine for deploy/gpu/device-check.sh, which runs on a
# GPU machine with PyTorch for Python but no JDK, no Maven and no network, and receives at most
# 64 MiB (the git working tree plus the carried folders). See docs/deploy.md, "Running on the GPU
# machine".
#
#   deploy/gpu/prepare-carry.sh --djl-git DIR [--data DIR] [--out DIR]
#
# --djl-git: a git directory of deepjavalibrary/djl holding the tag v<djl.version of pom.xml>; the
# PyTorch JNI sources (engines/pytorch/pytorch-native) and the header javac generates from
# PyTorchLibrary.java travel, the device builds libdjl_torch.so from them against its libtorch.
#
# It writes:
#   .gpu-carry/sieve-gpu.tar.xz   jlink runtime (with include/jni.h), the jars DeviceCheck needs, DJL JNI sources
#   .gpu-carry/data/*.xz          the Fashion-MNIST IDX files, xz-compressed (smaller than the .gz)
#   .gpu-carry/MANIFEST           commit, versions, sizes
# and refuses (exit 3) when the folder exceeds GPU_CARRY_BUDGET_MIB (default 56: 64 MiB less room for the tree).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/.gpu-carry"
DATA="${SIEVE_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
DJL_GIT=""
BUDGET_MIB="${GPU_CARRY_BUDGET_MIB:-56}"
while [ $# -gt 0 ]; do
  case "$1" in
    --djl-git) DJL_GIT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "prepare-carry: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$DJL_GIT" ] || { echo "prepare-carry: --djl-git DIR is required (a clone of deepjavalibrary/djl)" >&2; exit 2; }

# The jars DeviceCheck loads: Sieve's model, data and wire classes, DJL's API and PyTorch engine
# (not the pytorch-native-cpu jar: the device brings its own libtorch), JNA (DJL's CUDA probe),
# Avro (LabeledSample), Jackson (the JSON lines), SLF4J. No Kafka, no RocksDB.
JARS="sieve-pipeline sieve-model sieve-attack sieve-schemas api pytorch-engine jna gson avro
      jackson-core jackson-databind jackson-annotations slf4j-api slf4j-simple"
# java.sql and java.management: Avro and Jackson link against them; jdk.unsupported: sun.misc.Unsafe.
MODULES="java.base,java.logging,java.management,java.sql,jdk.unsupported"

DJL_VERSION=$(sed -n 's|.*<djl.version>\(.*\)</djl.version>.*|\1|p' "$ROOT/pom.xml" | head -1)
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

echo "prepare-carry: building pipeline and its modules (offline) ..." >&2
(cd "$ROOT" && ./mvnw -o -q -B -pl pipeline -am -DskipTests -Djacoco.skip=true -Dfuzz.skip=true package \
  dependency:build-classpath -Dmdep.outputFile="$STAGE/classpath.txt" -Dmdep.includeScope=runtime) >&2

mkdir -p "$STAGE/sieve-gpu/jars"
{ tr ':' '\n' < "$STAGE/classpath.txt"; echo; ls "$ROOT"/pipeline/target/sieve-pipeline-*.jar; } > "$STAGE/all-jars.txt"
for name in $JARS; do
  jar=$(grep -E "/${name}-[0-9][^/]*\.jar$" "$STAGE/all-jars.txt" | grep -v -- '-sources\|-tests' | head -1)
  [ -n "$jar" ] || { echo "prepare-carry: no jar for $name on the pipeline's class path" >&2; exit 1; }
  cp "$jar" "$STAGE/sieve-gpu/jars/"
done

echo "prepare-carry: jlink $MODULES ..." >&2
# --compress=0: xz below packs the uncompressed image to about half of what jlink's zip would.
# Header files stay (no --no-header-files): the device compiles the JNI against include/jni.h.
jlink --add-modules "$MODULES" --strip-debug --no-man-pages --compress=0 --output "$STAGE/sieve-gpu/jre"
[ -f "$STAGE/sieve-gpu/jre/include/jni.h" ] && [ -f "$STAGE/sieve-gpu/jre/include/linux/jni_md.h" ]

echo "prepare-carry: DJL $DJL_VERSION PyTorch JNI sources ..." >&2
mkdir -p "$STAGE/sieve-gpu/djl"
git --git-dir="$DJL_GIT" archive "v$DJL_VERSION" engines/pytorch/pytorch-native/CMakeLists.txt \
  engines/pytorch/pytorch-native/src/main/native engines/pytorch/pytorch-native/src/main/patch \
  api/src/main/native engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java \
  LICENSE | tar -x -C "$STAGE/sieve-gpu/djl"
# The device has no javac: the JNI header that DJL's build.sh generates with `javac -h` travels
# ready-made, where its CMakeLists.txt looks (build/include beside the sources).
mkdir -p "$STAGE/sieve-gpu/djl/engines/pytorch/pytorch-native/build/include" "$STAGE/javac"
javac -h "$STAGE/sieve-gpu/djl/engines/pytorch/pytorch-native/build/include" -d "$STAGE/javac" \
  "$STAGE/sieve-gpu/djl/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"

rm -rf "$OUT"
mkdir -p "$OUT/data"
tar -C "$STAGE" -cf - sieve-gpu | xz -9 -T2 > "$OUT/sieve-gpu.tar.xz"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$DATA/$f.gz" ]; then zcat "$DATA/$f.gz"; else cat "$DATA/$f"; fi | xz -9 -T2 > "$OUT/data/$f.xz"
done

bytes=$(du -sb "$OUT" | cut -f1)
{
  echo "commit=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD || echo '+dirty')"
  echo "djl.version=$DJL_VERSION"
  echo "java=$(java -version 2>&1 | head -1)"
  echo "modules=$MODULES"
  echo "jars=$(ls "$STAGE/sieve-gpu/jars" | tr '\n' ' ')"
  echo "runtime.bytes=$(du -sb "$STAGE/sieve-gpu/jre" | cut -f1)"
  echo "jars.bytes=$(du -sb "$STAGE/sieve-gpu/jars" | cut -f1)"
  echo "tar.xz.bytes=$(stat -c %s "$OUT/sieve-gpu.tar.xz")"
  echo "data.bytes=$(du -sb "$OUT/data" | cut -f1)"
  echo "carry.bytes=$bytes"
} > "$OUT/MANIFEST"
cat "$OUT/MANIFEST" >&2
budget=$((BUDGET_MIB * 1024 * 1024))
if [ "$bytes" -gt "$budget" ]; then
  echo "prepare-carry: $OUT is $bytes bytes, over the budget of $BUDGET_MIB MiB" >&2
  exit 3
fi
echo "prepare-carry: $OUT is $((bytes / 1024 / 1024)) MiB, within $BUDGET_MIB MiB" >&2
