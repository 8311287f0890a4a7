#!/usr/bin/env bash
# Regenerates the Swift code for Protos/ with Debian's protoc and the protoc plugins built from the
# mirrored swift-protobuf and grpc-swift-protobuf packages: messages into Sources/EtcdProto/Generated,
# gRPC service stubs into Sources/EtcdGRPC/Generated (so storage and Raft code can use the messages
# without linking gRPC). The output is committed, so a normal build never runs this.
# Needs: apt-get install -y protobuf-compiler
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }

scratch=.build-protoc
swift build --scratch-path "$scratch" --product protoc-gen-swift
swift build --scratch-path "$scratch" --product protoc-gen-grpc-swift-2
bin=$(swift build --scratch-path "$scratch" --show-bin-path)

out=Sources/EtcdProto/Generated
grpc_out=Sources/EtcdGRPC/Generated
rm -f "$out"/*.swift "$grpc_out"/*.swift
mkdir -p "$out" "$grpc_out"

protos=$(cd Protos && find . -name '*.proto' | sed 's|^\./||' | sort)
# shellcheck disable=SC2086
(cd Protos && protoc --proto_path=. \
    --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
    --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
    --swift_out="../$out" --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
    --grpc-swift-2_out="../$grpc_out" \
    --grpc-swift-2_opt=Visibility=Public,Server=true,Client=true,FileNaming=PathToUnderscores,ExtraModuleImports=EtcdProto \
    $protos)

# Files for protos without services hold no code; keep only the ones that do.
for f in "$grpc_out"/*.grpc.swift; do
    grep -q 'GRPCCore' "$f" || rm -f "$f"
done
ls -1 "$out" "$grpc_out"
