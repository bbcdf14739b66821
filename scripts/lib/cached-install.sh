# cached-install.sh: the crash-safe install into the cache that ensure-node.sh and
# ensure-pulumi-sdk.sh share. Source it after setting cache_root and install_dir
# and defining is_complete.
#
# An install is built in a scratch folder beside its final place and renamed into
# place: a killed install leaves only a scratch folder (removed by the next one),
# never a half-made install that looks finished. Concurrent runs wait for one
# another on a lock, and the one that waited answers with what the first made.

# begin_install NAME RESULT: waits for another install of NAME; if that made
# what is needed, prints RESULT and exits. Otherwise sets work_dir, an empty
# scratch folder that is removed if the script stops before finish_install.
begin_install() {
    local name=$1 result=$2
    mkdir -p "$cache_root"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$cache_root/.$name-lock"
        flock 9
        if is_complete; then
            printf '%s\n' "$result"
            exit 0
        fi
        rm -rf "$cache_root/.$name-build-"*
    fi
    work_dir=$(mktemp -d "$cache_root/.$name-build-XXXXXX")
    trap 'rm -rf "$work_dir"' EXIT
    chmod 0755 "$work_dir" # mktemp makes it private; the install is read like any other
}

# finish_install: puts work_dir in install_dir's place in one rename.
finish_install() {
    if [[ -e $install_dir ]]; then
        mv "$install_dir" "$work_dir/old"
    fi
    mv "$work_dir" "$install_dir"
    rm -rf "$install_dir/old"
    trap - EXIT
}
