#!/usr/bin/env bash
# Installs NAG Selector from one overlay on a cluster, in the order a fresh cluster needs:
#   1. the overlay's namespace (everything below puts something in it);
#   2. cert-manager (the Flink operator's webhook needs it), then the Flink Kubernetes Operator,
#      watching that namespace;
#   3. Strimzi, watching that namespace, and a check that the Kafka cluster nag-kafka is there
#      (its listeners and storage are yours to choose: docs/kubernetes.md, step 3);
#   4. the S3 credentials Secret, when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set;
#   5. the overlay: topics, users, the config, the job's service account and the FlinkDeployment.
# Usage: k8s/install.sh dev-cpu|prod-gpu
# Settings (environment): NAG_WATCH_NAMESPACES (namespaces the operators watch, comma-separated;
# default: the overlay's; give both when both overlays share a cluster), NAG_SKIP_OPERATORS=1
# (the operators are installed already), NAG_SKIP_KAFKA_CHECK=1.
set -euo pipefail

FLINK_OPERATOR_VERSION=1.15.0
CERT_MANAGER_VERSION=v1.18.2
STRIMZI_VERSION=1.2.0

overlay="${1:-}"
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "$overlay" ] || [ ! -f "$here/overlays/$overlay/kustomization.yaml" ]; then
  echo "usage: k8s/install.sh OVERLAY, one of: $(cd "$here/overlays" && echo *)" >&2
  exit 2
fi
dir="$here/overlays/$overlay"
namespace="$(sed -n 's/^namespace: *//p' "$dir/kustomization.yaml")"
if [ -z "$namespace" ]; then
  echo "k8s/overlays/$overlay/kustomization.yaml names no namespace" >&2
  exit 2
fi
watch="${NAG_WATCH_NAMESPACES:-$namespace}"
case ",$watch," in
  *",$namespace,"*) ;;
  *) echo "NAG_WATCH_NAMESPACES=$watch leaves out the overlay's namespace $namespace" >&2; exit 2 ;;
esac

echo "== 1. namespace $namespace"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -

if [ "${NAG_SKIP_OPERATORS:-}" != "1" ]; then
  echo "== 2. cert-manager $CERT_MANAGER_VERSION, Flink Kubernetes Operator $FLINK_OPERATOR_VERSION watching $watch"
  kubectl apply -f "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml"
  kubectl -n cert-manager wait --for=condition=Available deployment --all --timeout=300s
  helm repo add flink-operator-$FLINK_OPERATOR_VERSION \
    "https://downloads.apache.org/flink/flink-kubernetes-operator-$FLINK_OPERATOR_VERSION/" --force-update
  helm upgrade --install flink-kubernetes-operator \
    "flink-operator-$FLINK_OPERATOR_VERSION/flink-kubernetes-operator" \
    --namespace flink-operator --create-namespace \
    --set "watchNamespaces={$watch}" --wait

  echo "== 3. Strimzi $STRIMZI_VERSION watching $watch"
  helm upgrade --install strimzi-cluster-operator oci://quay.io/strimzi-helm/strimzi-kafka-operator \
    --version "$STRIMZI_VERSION" --namespace strimzi --create-namespace \
    --set "watchNamespaces={$watch}" --wait
fi
if [ "${NAG_SKIP_KAFKA_CHECK:-}" != "1" ] && ! kubectl -n "$namespace" get kafka nag-kafka >/dev/null; then
  echo "no Strimzi Kafka 'nag-kafka' in $namespace: create it (docs/kubernetes.md, step 3), then run this again" >&2
  exit 1
fi

echo "== 4. secrets"
if [ -n "${AWS_ACCESS_KEY_ID:-}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]; then
  kubectl -n "$namespace" create secret generic nag-selector-s3 \
    --from-literal=access-key-id="$AWS_ACCESS_KEY_ID" \
    --from-literal=secret-access-key="$AWS_SECRET_ACCESS_KEY" \
    --dry-run=client -o yaml | kubectl apply -f -
else
  echo "(no AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: the pods' role gives S3 access)"
fi

echo "== 5. the overlay $overlay into $namespace"
kubectl apply -k "$dir"
