# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by hack/cluster-lab: the lab's certificate authority and the certificates of each component, made
# with openssl the way kubeadm names them (the CN is the user, the O the group), so that the API server's
# Node and RBAC authorizers see every component as it would in a real cluster.

# pki_make DIR API_IP NODE_NAME: writes DIR/{ca,apiserver,sa,...}.{crt,key} unless DIR/ca.crt exists
pki_make() {
  local dir=$1 api_ip=$2 node=$3
  [[ -f $dir/ca.crt ]] && return 0
  mkdir -p "$dir" && chmod 700 "$dir"
  local tmp
  tmp=$(mktemp -d)
  # EC keys: generated in milliseconds, and every Kubernetes component accepts them
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -subj "/CN=packettrace-cluster-lab-ca" -days 30 \
    -out "$dir/ca.crt" 2>/dev/null
  # the service account token signer (the API server verifies with the public half)
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/sa.key" 2>/dev/null
  openssl ec -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  _pki_cert "$dir" "$tmp" apiserver "/CN=kube-apiserver" server \
    "IP:$api_ip,IP:10.96.0.1,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  _pki_cert "$dir" "$tmp" admin "/O=system:masters/CN=cluster-lab-admin" client
  _pki_cert "$dir" "$tmp" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
  _pki_cert "$dir" "$tmp" controller-manager "/CN=system:kube-controller-manager" client
  _pki_cert "$dir" "$tmp" scheduler "/CN=system:kube-scheduler" client
  _pki_cert "$dir" "$tmp" kube-proxy "/CN=system:kube-proxy" client
  _pki_cert "$dir" "$tmp" kubelet "/O=system:nodes/CN=system:node:$node" client
  rm -rf "$tmp"
}

# _pki_cert DIR TMP NAME SUBJECT server|client [SANS]
_pki_cert() {
  local dir=$1 tmp=$2 name=$3 subject=$4 usage=$5 sans=${6:-}
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$tmp/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ $usage == server ]]; then echo "extendedKeyUsage=serverAuth"; else echo "extendedKeyUsage=clientAuth"; fi
    [[ -z $sans ]] || echo "subjectAltName=$sans"
  } > "$tmp/$name.ext"
  openssl x509 -req -in "$tmp/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$tmp/$name.ext" -out "$dir/$name.crt" 2>/dev/null
}

# pki_kubeconfig FILE SERVER DIR NAME: a kubeconfig that authenticates with DIR/NAME.{crt,key}
pki_kubeconfig() {
  local file=$1 server=$2 dir=$3 name=$4
  cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cluster-lab
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 < "$dir/ca.crt")
users:
- name: $name
  user:
    client-certificate-data: $(base64 -w0 < "$dir/$name.crt")
    client-key-data: $(base64 -w0 < "$dir/$name.key")
contexts:
- name: cluster-lab
  context: {cluster: cluster-lab, user: $name}
current-context: cluster-lab
EOF
  chmod 600 "$file"
}
