#!/usr/bin/env bash
# Makes the certificates of the TLS variant (tls.yml) with openssl: a CA; one member certificate for the
# names etcd-1, etcd-2, etcd-3, localhost and 127.0.0.1, good for serving and as a client (peers present it
# to each other); and a client certificate for the user root (common name root: with client certificate
# authentication it logs in as root, so the backup service and healthchecks need no password).
# Usage: tls/make-certs.sh [DIRECTORY] (default tls/certs beside this script). The keys are made readable
# by the image's user (10001) only when run as root, otherwise by everyone: keep the directory private.
set -euo pipefail
out=${1:-$(dirname "$0")/certs}
mkdir -p "$out"
cd "$out"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
sign() {  # name subject extensions...
    local name=$1 subject=$2
    shift 2
    key "$name"
    openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
    printf '%s\n' "$@" > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -out "$name.crt" \
        -extfile "$name.ext" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}
key ca
openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=etcd-compose-ca" -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
sign member "/CN=etcd-member" "subjectAltName=DNS:etcd-1,DNS:etcd-2,DNS:etcd-3,DNS:localhost,IP:127.0.0.1" \
    "extendedKeyUsage=serverAuth,clientAuth" "keyUsage=critical,digitalSignature,keyEncipherment"
sign root "/CN=root" "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature,keyEncipherment"
rm -f ca.srl
if [ "$(id -u)" -eq 0 ]; then
    chown 10001:10001 member.key root.key
    chmod 600 member.key root.key
else
    chmod 644 member.key root.key
fi
chmod 600 ca.key
echo "certificates in $out: ca.crt, member.crt/key, root.crt/key"
