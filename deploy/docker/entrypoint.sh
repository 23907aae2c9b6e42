#!/bin/sh
# Entrypoint of the Sieve image. The first argument picks the role, as with ./sieve:
#   docker run sieve stream ...   the filter (plus the Victim updater unless --no-victim-updater)
#   docker run sieve train ...    the Beneficiary trainer
#   docker run sieve produce ...  the Fashion-MNIST load producer
set -eu

# exec, so that the JVM is PID 1 and receives SIGTERM from `docker stop` or the kubelet: its
# shutdown hooks close Kafka Streams and the trainer cleanly instead of being killed mid-commit.
# -Dai.djl.offline=true: DJL must never try to download an engine; the PyTorch natives ship in
# the image inside the pytorch-native jar. JAVA_OPTS stays unquoted: it holds several flags.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} \
  -Dai.djl.offline=true \
  -cp "/opt/sieve/sieve.jar:/opt/sieve/lib/*" \
  dev.sieve.cli.Sieve "$@"
