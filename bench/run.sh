#!/usr/bin/env bash
# Builds the benchmark with what it needs (kernel, demo API, the codec and demo service plugins, which
# land in plugins-dir/) and runs it from the repository root. Arguments go to BenchMain, e.g.
#   bench/run.sh --concurrency 64 --warmup 5 --seconds 10 --out bench/results/c64.md
# Environment: SKIP_BUILD=1 reuses the last build; BENCH_JVM_OPTS adds JVM options for the client JVM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q install -pl bench,plugin-codec-protostuff,plugin-service-demo -am -DskipTests
fi
# A private copy of the runtime class path: a JAR that another build re-installs into ~/.m2 while a
# run is going would otherwise change under the running JVMs.
lib="$root/bench/target/lib"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -d "$lib" ]; then
  rm -rf "$lib"
  mvn -B -q -pl bench dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
fi
# shellcheck disable=SC2086
exec java ${BENCH_JVM_OPTS:-} -cp "$root/bench/target/classes:$lib/*" io.microrpc.bench.BenchMain "$@"
