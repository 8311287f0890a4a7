# Shared by the comparison scripts (source it): member processes the script started, and loopback ports for
# them. The script keeps its members' PIDs in the array PIDS.
PIDS=()
USED_PORTS=" "

# SIGTERM to every member in PIDS, SIGKILL to those still there after five seconds; empties PIDS.
stop_members() {
    ((${#PIDS[@]})) || return 0
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "${PIDS[@]}" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
    wait "${PIDS[@]}" 2>/dev/null || true
    PIDS=()
}

# Ports come from 30000 up to the start of the kernel's ephemeral range (32768 by default), so that neither
# another test's members nor an outgoing connection's local port takes one between free_port and the bind.
read -r EPHEMERAL_LOW _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || EPHEMERAL_LOW=32768
PORT_LOW=30000 PORT_SPAN=$((EPHEMERAL_LOW - 30000))
((PORT_SPAN >= 1000)) || PORT_SPAN=30000

# Sets PORT to a loopback TCP port no socket uses (but for TIME-WAIT) and this script has not handed out
# lately. Call it in the script's own shell, not in $(...): a subshell would forget the port was handed out,
# and two members of one cluster could get the same port before either binds it.
free_port() {
    local port
    (($(wc -w <<<"$USED_PORTS") < PORT_SPAN / 2)) || USED_PORTS=" "
    while :; do
        port=$((PORT_LOW + RANDOM % PORT_SPAN))
        [[ $USED_PORTS == *" $port "* ]] && continue
        ss -Htan "sport = :$port" | grep -qv TIME-WAIT && continue
        USED_PORTS+="$port "
        PORT=$port
        return
    done
}

# launch_members BINARY SIZE LABEL: starts SIZE members of a new loopback cluster on free ports, data and logs
# under $WORK/LABEL-mN; adds their PIDs to PIDS and sets ENDPOINTS (host:port of each, comma-separated).
# MEMBER_CPUS (a taskset CPU list, e.g. 0) confines every member to those CPUs; the load generator stays free.
launch_members() {
    local binary=$1 size=$2 label=$3 i cluster="" clients=() peers=() confine=()
    [[ -z ${MEMBER_CPUS:-} ]] || confine=(taskset -c "$MEMBER_CPUS")
    for ((i = 1; i <= size; i++)); do
        free_port && clients+=("$PORT")
        free_port && peers+=("$PORT")
        cluster+="${cluster:+,}m$i=http://127.0.0.1:${peers[i - 1]}"
    done
    ENDPOINTS=""
    for ((i = 1; i <= size; i++)); do
        local client=http://127.0.0.1:${clients[i - 1]} peer=http://127.0.0.1:${peers[i - 1]}
        "${confine[@]}" "$binary" --name "m$i" --data-dir "$WORK/$label-m$i" \
            --listen-client-urls "$client" --advertise-client-urls "$client" \
            --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
            --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$label" \
            >"$WORK/$label-m$i.log" 2>&1 &
        PIDS+=($!)
        ENDPOINTS+="${ENDPOINTS:+,}127.0.0.1:${clients[i - 1]}"
    done
}
