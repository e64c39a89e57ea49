# SPDX-License-Identifier: Apache-2.0
# Sourced by bin/packettrace and mvnw: selects a Java 25+ runtime without relying on the default `java`.
# shellcheck shell=sh # mvnw is a POSIX sh script, so this stays POSIX too
# Order: $JAVA_HOME if it is 25+, then the usual install locations. Exports JAVA_HOME or says what is missing.

java_feature_version() { # prints the feature release of the java binary $1 (e.g. 25), or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

select_java25() {
  # shellcheck disable=SC3043 # not POSIX, but every /bin/sh mvnw meets (dash, bash, busybox) has it, and
  # without it these names would leak into the scripts that source this file
  local candidate version noglob=
  case $- in *f*) noglob=1; set +f ;; esac # mvnw runs with globbing off
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-* /usr/lib/jvm/java-25-* \
      /usr/lib/jvm/jdk-25* /opt/java/openjdk /usr/lib/jvm/*; do
    { [ -n "$candidate" ] && [ -x "$candidate/bin/java" ]; } || continue
    version=$(java_feature_version "$candidate/bin/java")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      [ -z "$noglob" ] || set -f
      return 0
    fi
  done
  [ -z "$noglob" ] || set -f
  echo "packettrace: no Java 25 runtime found (checked \$JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*)." >&2
  echo "packettrace: install one (e.g. Temurin 25) or set JAVA_HOME to a JDK 25 or newer." >&2
  return 1
}
