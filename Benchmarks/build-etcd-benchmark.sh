#!/usr/bin/env bash
# Builds etcd's own load generator, `tools/benchmark` of etcd 3.4, from Debian's `etcd` source package with
# Debian's Go packages only (no Go module proxy, nothing from outside Debian's archive), and prints its path.
#
#   bash Benchmarks/build-etcd-benchmark.sh        # -> .build/etcd-benchmark/benchmark
#
# What it does, when the binary is not there yet:
#   1. installs `golang-go` and `golang-etcd-server-dev` with apt-get (needs root; runs `apt-get update` once
#      only if the install fails without it);
#   2. downloads the source package `etcd=$ETCD_DEB_VERSION` with `apt-get source --download-only` through a
#      private apt configuration in a temporary directory (its own sources.list with one `deb-src` line for
#      $DEBIAN_SUITE from the mirror this machine's apt already uses, its own lists, cache and state), so the
#      system's apt state is not changed;
#   3. unpacks `tools/benchmark` (and any other package of the source tree that /usr/share/gocode lacks) into a
#      GOPATH of its own and builds it with GO111MODULE=off GOPATH=<work>/gopath:/usr/share/gocode.
# It is idempotent: when the binary exists it only prints its path. Delete the binary to rebuild.
#
# ETCD_BENCHMARK_DIR: where the binary goes (default .build/etcd-benchmark).
# ETCD_DEB_VERSION: the source package's version (default 3.4.23-4, bookworm's, which golang-etcd-server-dev
#   must match). DEBIAN_SUITE: the suite of the deb-src line (default bookworm). DEBIAN_MIRROR: the archive's
#   URI (default: the one this machine's apt sources use for that suite).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT_DIR=${ETCD_BENCHMARK_DIR:-.build/etcd-benchmark}
BIN=$OUT_DIR/benchmark
VERSION=${ETCD_DEB_VERSION:-3.4.23-4}
SUITE=${DEBIAN_SUITE:-bookworm}
IMPORT=go.etcd.io/etcd/tools/benchmark
GOCODE=/usr/share/gocode

die() { echo "build-etcd-benchmark: $*" >&2; exit 1; }

if [[ -x $BIN ]]; then
    echo "$(cd "$OUT_DIR" && pwd)/benchmark"
    exit 0
fi
started=$SECONDS

# 1. Debian's Go toolchain and etcd's Go sources (which bring every library etcd imports).
installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }
missing=()
for package in golang-go golang-etcd-server-dev; do installed "$package" || missing+=("$package"); done
if ((${#missing[@]})); then
    ((EUID == 0)) || die "missing ${missing[*]}; install them as root: apt-get install ${missing[*]}"
    echo "installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
        echo "apt-get install failed; running apt-get update once and trying again" >&2
        apt-get update -q >&2 || die "apt-get update failed"
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
    fi
fi
command -v go >/dev/null || die "golang-go is installed but 'go' is not on PATH"
[[ -d $GOCODE/src/go.etcd.io/etcd/clientv3 ]] || die "$GOCODE/src/go.etcd.io/etcd/clientv3 missing; is golang-etcd-server-dev installed?"
dev_version=$(dpkg-query -W -f='${Version}' golang-etcd-server-dev)
[[ $dev_version == "$VERSION" ]] ||
    echo "warning: golang-etcd-server-dev is $dev_version but the source package is $VERSION" >&2

# 2. The source package, through a private apt configuration.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/etcd-benchmark-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [[ -z ${DEBIAN_MIRROR:-} ]]; then
    # The URI this machine's apt sources (one-line or deb822, any file) use for the suite's main component.
    DEBIAN_MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
        awk -v suite="$SUITE" '$2 == suite && $3 == "main" { print $1; exit }')
    [[ -n $DEBIAN_MIRROR ]] ||
        die "no apt source for '$SUITE main' in /etc/apt/sources.list(.d); set DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
fi
signed_by=""
[[ -r /usr/share/keyrings/debian-archive-keyring.gpg ]] && signed_by="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
APT=$WORK/apt
mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$WORK/download"
echo "deb-src ${signed_by}${DEBIAN_MIRROR%/} $SUITE main" >"$APT/sources.list"
apt_private=(
    -o "Dir::State=$APT/state" -o "Dir::State::Lists=$APT/state/lists"
    -o "Dir::Cache=$APT/cache" -o "Dir::Cache::Archives=$APT/cache/archives"
    -o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/sources.list.d"
    -o "APT::Sandbox::User=root" -q
)
echo "fetching the source package etcd=$VERSION from $DEBIAN_MIRROR ($SUITE)" >&2
apt-get "${apt_private[@]}" update >&2 || die "apt-get update of the private deb-src list failed"
(cd "$WORK/download" && apt-get "${apt_private[@]}" source --download-only "etcd=$VERSION" >&2) ||
    die "apt-get source --download-only etcd=$VERSION failed"
origs=("$WORK"/download/etcd_*.orig.tar.*)
orig=${origs[0]}
[[ -f $orig ]] || die "no etcd_*.orig.tar.* among the downloaded files: $(ls "$WORK/download")"
top=$(tar -tf "$orig" | sed -n '1s|/.*||p') # the tarball's top directory (sed reads all: no SIGPIPE for tar)

# 3. tools/benchmark in a GOPATH of its own; everything else it imports comes from /usr/share/gocode. Packages
#    of etcd's tree that the -dev package leaves out (it excludes tools/) are unpacked from the source too.
GOPATH_OWN=$WORK/gopath
ETCD_SRC=$GOPATH_OWN/src/go.etcd.io/etcd
mkdir -p "$ETCD_SRC"
unpack() { tar -xf "$orig" -C "$ETCD_SRC" --strip-components=1 "$top/$1" || die "$1 is not in $orig"; }
unpack tools/benchmark
export GO111MODULE=off GOPATH=$GOPATH_OWN:$GOCODE GOCACHE=$WORK/gocache GOFLAGS= GOPROXY=off CGO_ENABLED=0
for _ in 1 2 3 4 5; do
    # Import paths that do not resolve, as "cannot find package" errors name them.
    absent=$(go list -e -deps -f '{{with .Error}}{{.Err}}{{end}}' "$IMPORT" 2>&1 |
        grep -o 'cannot find package "go\.etcd\.io/etcd/[^"]*"' | sed 's/.*"go\.etcd\.io\/etcd\///; s/"$//' | sort -u) || true
    [[ -z $absent ]] && break
    for dir in $absent; do
        echo "unpacking $dir from the source package (not in $GOCODE)" >&2
        unpack "$dir"
    done
done
mkdir -p "$OUT_DIR"
echo "building $IMPORT with $(go version)" >&2
go build -trimpath -o "$OUT_DIR/benchmark.partial" "$IMPORT" || die "go build $IMPORT failed (GOPATH=$GOPATH)"
"$OUT_DIR/benchmark.partial" --help >/dev/null 2>&1 || die "the built benchmark does not run"
mv -f "$OUT_DIR/benchmark.partial" "$BIN"
echo "built $BIN in $((SECONDS - started)) s" >&2
echo "$(cd "$OUT_DIR" && pwd)/benchmark"
