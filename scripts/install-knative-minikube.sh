#!/usr/bin/env bash
# Installs a pinned Knative Serving release with the Kourier networking layer on minikube, for
# `knsim live` (see docs/live.md). Run it on your own machine: it needs minikube, kubectl, a
# container runtime for minikube (Docker, Podman, or a VM driver) and internet access.
#
#   scripts/install-knative-minikube.sh            # profile "knsim", 2 CPUs, 4 GB, routes on example.com
#   KNATIVE_DOMAIN=sslip scripts/install-knative-minikube.sh   # real DNS names via sslip.io instead
#
# Settings (environment variables):
#   KNATIVE_VERSION   Knative Serving release (default 1.21.0)
#   KOURIER_VERSION   net-kourier release (default 1.21.0)
#   MINIKUBE_PROFILE  minikube profile (default knsim)
#   MINIKUBE_CPUS     CPUs for a new cluster (default 2, the seed article's minimum)
#   MINIKUBE_MEMORY   memory in MB for a new cluster (default 4096)
#   KNATIVE_DOMAIN    "example.com" (default, what the seed scenario uses) or "sslip"
#   WAIT_TIMEOUT      how long to wait for each component (default 600s)
set -euo pipefail

KNATIVE_VERSION="${KNATIVE_VERSION:-1.21.0}"
KOURIER_VERSION="${KOURIER_VERSION:-1.21.0}"
PROFILE="${MINIKUBE_PROFILE:-knsim}"
CPUS="${MINIKUBE_CPUS:-2}"
MEMORY="${MINIKUBE_MEMORY:-4096}"
DOMAIN="${KNATIVE_DOMAIN:-example.com}"
TIMEOUT="${WAIT_TIMEOUT:-600s}"

SERVING="https://github.com/knative/serving/releases/download/knative-v${KNATIVE_VERSION}"
KOURIER="https://github.com/knative/net-kourier/releases/download/knative-v${KOURIER_VERSION}/kourier.yaml"

say() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'install-knative-minikube: %s\n' "$*" >&2
  exit 1
}

for tool in minikube kubectl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (see https://minikube.sigs.k8s.io/docs/start/ and https://kubernetes.io/docs/tasks/tools/)"
done

say "minikube profile ${PROFILE} (${CPUS} CPUs, ${MEMORY} MB)"
if minikube status -p "$PROFILE" >/dev/null 2>&1; then
  echo "already running"
else
  minikube start -p "$PROFILE" --cpus "$CPUS" --memory "$MEMORY"
fi
kubectl config use-context "$PROFILE" >/dev/null

say "Knative Serving v${KNATIVE_VERSION}: CRDs"
kubectl apply -f "${SERVING}/serving-crds.yaml"
kubectl wait --for=condition=Established --timeout="$TIMEOUT" \
  crd/services.serving.knative.dev crd/configurations.serving.knative.dev \
  crd/routes.serving.knative.dev crd/revisions.serving.knative.dev \
  crd/podautoscalers.autoscaling.internal.knative.dev \
  crd/serverlessservices.networking.internal.knative.dev

say "Knative Serving v${KNATIVE_VERSION}: core"
kubectl apply -f "${SERVING}/serving-core.yaml"

say "Kourier v${KOURIER_VERSION}"
kubectl apply -f "$KOURIER"
kubectl patch configmap/config-network --namespace knative-serving --type merge \
  --patch '{"data":{"ingress-class":"kourier.ingress.networking.knative.dev"}}'
# From Knative 1.19 the autoscaler exports no metrics unless asked to; knsim live reads them
# (through the API server's pod proxy) to put the cluster's decisions beside the model's.
kubectl patch configmap/config-observability --namespace knative-serving --type merge \
  --patch '{"data":{"metrics-protocol":"prometheus"}}'
kubectl -n knative-serving rollout restart deployment/autoscaler

say "waiting for the components (up to ${TIMEOUT} each; image pulls on a fresh minikube take a few minutes)"
for d in activator autoscaler controller webhook net-kourier-controller; do
  kubectl -n knative-serving rollout status "deployment/${d}" --timeout="$TIMEOUT"
done
kubectl -n kourier-system rollout status deployment/3scale-kourier-gateway --timeout="$TIMEOUT"

case "$DOMAIN" in
  sslip)
    say "DNS: <service>.<namespace>.<minikube ip>.sslip.io (default-domain job)"
    kubectl apply -f "${SERVING}/serving-default-domain.yaml"
    kubectl -n knative-serving wait --for=condition=Complete --timeout="$TIMEOUT" job/default-domain
    ;;
  *)
    say "DNS: routes on ${DOMAIN} (no real DNS: knsim sends the Host header itself)"
    kubectl patch configmap/config-domain --namespace knative-serving --type merge \
      --patch "{\"data\":{\"${DOMAIN}\":\"\"}}"
    ;;
esac

IP="$(minikube ip -p "$PROFILE")"
PORT="$(kubectl -n kourier-system get service kourier -o jsonpath='{.spec.ports[?(@.name=="http2")].nodePort}')"
VERSION="$(kubectl get namespace knative-serving -o 'go-template={{index .metadata.labels "app.kubernetes.io/version"}}' 2>/dev/null || true)"

say "done: Knative Serving ${VERSION:-v${KNATIVE_VERSION}} with Kourier on minikube profile ${PROFILE}"
cat <<EOF
The Kourier gateway answers on http://${IP}:${PORT} (NodePort). knsim finds it by itself; if
your machine cannot reach ${IP} (Docker driver on macOS or Windows), run \`minikube tunnel -p ${PROFILE}\`
in another terminal and pass --target http://127.0.0.1 instead.

Try it:
  node bin/knsim.js live scenarios/seed-walkthrough.yaml \\
    --image ghcr.io/knative/helloworld-go:latest --env TARGET=Knative --log live.jsonl
  node bin/knsim.js predict live.jsonl
EOF
