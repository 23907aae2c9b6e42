#!/usr/bin/env bash
# The Sieve launcher. Builds the project on first use (or when sources changed), then runs
# `java ... dev.sieve.cli.Sieve "$@"`. Try: ./sieve --help, ./sieve demo --help
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$ROOT/cli/target/sieve.jar"
LIB="$ROOT/cli/target/lib"

needs_build() {
  [ ! -f "$JAR" ] || [ ! -d "$LIB" ] && return 0
  # Rebuild when any source, schema or pom is newer than the launcher jar.
  [ -n "$(find "$ROOT" \( -path "$ROOT/.git" -o -path '*/target' -o -path "$ROOT/.sieve" \) -prune -o \
      \( -name '*.java' -o -name '*.avsc' -o -name 'pom.xml' -o -name '*.properties' \) -newer "$JAR" -print -quit)" ]
}

if needs_build; then
  echo "sieve: building the project (first run, or sources changed) ..." >&2
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2
fi

if ! command -v java >/dev/null 2>&1; then
  echo "sieve: java not found; install a JDK 17 (apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi

# -Dai.djl.offline=true: DJL must never try to download an engine; the PyTorch natives come from
# the pytorch-native jar on the classpath.
exec java ${SIEVE_JAVA_OPTS:--Xmx8g} \
  -Dai.djl.offline=true \
  -cp "$JAR:$LIB/*" dev.sieve.cli.Sieve "$@"
