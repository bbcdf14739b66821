# heartbeat.sh: a line on stderr every 20 s while something long happens (a build, waiting for another one's
# lock), so a first run never sits silent for minutes. Source it after setting heartbeat_label (the script's name).
#
# Never on stdout: the ensure-* scripts' callers read a folder from their last line, and would wait for a process
# still holding stdout to close it.

heartbeat_pid=
start_heartbeat() { # $1: what is happening
    local what=$1 began=$SECONDS
    (
        while sleep 20; do
            local e=$((SECONDS - began))
            printf '%s: %s: %dm%02ds elapsed\n' "$heartbeat_label" "$what" $((e / 60)) $((e % 60))
        done
    ) >&2 &
    heartbeat_pid=$!
}
stop_heartbeat() {
    if [[ -n $heartbeat_pid ]]; then
        kill "$heartbeat_pid" 2>/dev/null || true
        wait "$heartbeat_pid" 2>/dev/null || true
        heartbeat_pid=
    fi
}
