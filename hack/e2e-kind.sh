#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end test on a throwaway kind cluster, for machines with Docker, kind, kubectl and helm.
#
# NOT RUN IN CI, AND NEVER RUN BY THE PROJECT'S OWN TEST SUITE: the machines this project is built on have
# no Docker engine and no Kubernetes binaries. What can be tested there is tested by ./mvnw verify (the
# chart through helm-java, the operator against a mock API server, the image file trees run without a JDK);
# this script is the check that only a real cluster can give: images build, the chart installs, the CRDs'
# CEL rules load, agents run on a real kubelet with the pod security settings the operator writes, and
# a trace reports a real drop.
#
# What it does: builds both images (the image archives the cluster lab imports; needs root for debootstrap),
# creates a kind cluster, loads the images into it, installs the chart,
# starts a pod whose traffic is dropped on purpose (a client sending UDP to a port nothing listens on, so
# the server pod's kernel drops each datagram with NO_SOCKET), applies a PacketTrace against it, and
# waits for `kubectl get packettraces` to show the trace Completed with drops.
#
# Usage: hack/e2e-kind.sh            (KEEP_CLUSTER=1 keeps the cluster for a look; CLUSTER=name to choose it)
# Needs: docker, kind, kubectl, helm 3, and the build tools of the README (JDK via ./mvnw, clang, llvm,
#        libbpf-dev). The kind node's kernel is the Docker host's: it needs BTF (/sys/kernel/btf/vmlinux).
set -euo pipefail

cd "$(dirname "$0")/.."
CLUSTER=${CLUSTER:-packettrace-e2e}
NS_SYSTEM=packettrace
NS_APP=e2e
TAG=e2e
DEADLINE_SECONDS=${DEADLINE_SECONDS:-300}

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || die "$tool is not installed (this script needs docker, kind, kubectl and helm)"
done
[ -r /sys/kernel/btf/vmlinux ] || die "this kernel has no BTF (/sys/kernel/btf/vmlinux): the tracer cannot run on it"

cleanup() {
  if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
    say "keeping cluster $CLUSTER (kind delete cluster --name $CLUSTER)"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

say "building the image layouts (./mvnw -pl images -am package)"
./mvnw -q -B -pl images -am package -DskipTests
say "building the images (hack/cluster-lab.d/build-images: the cluster lab's own, as image archives)"
images=$(IMAGE_TAG=$TAG hack/cluster-lab.d/build-images)

say "creating kind cluster $CLUSTER"
kind create cluster --name "$CLUSTER" --wait 120s >/dev/null
kind load image-archive --name "$CLUSTER" "$images/node-agent.tar" >/dev/null
kind load image-archive --name "$CLUSTER" "$images/operator.tar" >/dev/null

say "installing the chart"
kubectl create namespace "$NS_SYSTEM" >/dev/null
kubectl label namespace "$NS_SYSTEM" pod-security.kubernetes.io/enforce=privileged >/dev/null
helm install packettrace charts/packettrace -n "$NS_SYSTEM" --wait --timeout 3m \
  --set operator.image.tag="$TAG" --set operator.image.pullPolicy=Never \
  --set agent.image.tag="$TAG" --set agent.image.pullPolicy=Never \
  --set timeouts.idleGracePeriod=1m >/dev/null
kubectl get crd packettraces.packettrace.dev >/dev/null || die "the chart did not install the CRD"

say "starting a server that drops every datagram (no socket on udp/9999) and a client that sends them"
kubectl create namespace "$NS_APP" >/dev/null
kubectl apply -n "$NS_APP" -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: broken-server
  labels: {app: broken-server}
spec:
  containers:
    - name: server
      image: busybox:1.36
      # listens on nothing: datagrams to udp/9999 find no socket and the kernel drops them (NO_SOCKET)
      command: ["sleep", "3600"]
YAML
kubectl -n "$NS_APP" wait --for=condition=Ready pod/broken-server --timeout=120s >/dev/null
SERVER_IP=$(kubectl -n "$NS_APP" get pod broken-server -o jsonpath='{.status.podIP}')
kubectl apply -n "$NS_APP" -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
    - name: client
      image: busybox:1.36
      # one datagram a second to the server pod only, for at most 10 minutes
      command: ["sh", "-c", "i=0; while [ \$i -lt 600 ]; do echo ping | nc -u -w1 $SERVER_IP 9999; i=\$((i+1)); sleep 1; done"]
YAML

say "applying a PacketTrace against the broken server"
kubectl apply -n "$NS_APP" -f - >/dev/null <<'YAML'
apiVersion: packettrace.dev/v1alpha1
kind: PacketTrace
metadata:
  name: broken-server-drops
spec:
  targets:
    podSelector:
      matchLabels: {app: broken-server}
  filter:
    proto: udp
    dstPort: 9999
  duration: 45s
YAML

say "waiting for the trace to complete (at most ${DEADLINE_SECONDS}s)"
deadline=$(( $(date +%s) + DEADLINE_SECONDS ))
phase=""
while [ "$(date +%s)" -lt "$deadline" ]; do
  phase=$(kubectl -n "$NS_APP" get packettrace broken-server-drops -o jsonpath='{.status.phase}')
  case "$phase" in Completed|Failed) break ;; esac
  sleep 3
done
kubectl -n "$NS_APP" get packettraces
verdict=$(kubectl -n "$NS_APP" get packettrace broken-server-drops -o jsonpath='{.status.summary.verdict}')
say "verdict: $verdict"
if [ "$phase" != Completed ]; then
  kubectl -n "$NS_APP" describe packettrace broken-server-drops || true
  kubectl -n "$NS_SYSTEM" logs deploy/packettrace-operator --tail=50 || true
  kubectl -n "$NS_SYSTEM" logs ds/packettrace-node-agent --tail=50 || true
  die "the trace ended in phase '${phase:-none}', not Completed"
fi
drops=$(kubectl -n "$NS_APP" get packettrace broken-server-drops -o jsonpath='{.status.summary.drops}')
[ "${drops:-0}" -gt 0 ] || die "the trace completed without drops"
reasons=$(kubectl -n "$NS_APP" get packettrace broken-server-drops -o jsonpath='{.status.summary.dropsByReason[*].reason}')
case " $reasons " in *" NO_SOCKET "*) ;; *) die "expected NO_SOCKET among the drop reasons, got: $reasons" ;; esac
say "PASSED: $drops drops, reasons: $reasons"
