# Sourced first by the scripts that need root (packages, hugepages, network namespaces), before they
# change directory: as root it does nothing; otherwise the script runs again through sudo with the
# same arguments and its ICS_*, RATE and PAGES settings, or, where there is no sudo (Debian's
# minimal images), stops with one sentence.
if [[ $(id -u) != 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "$(basename "$0") needs root (packages, hugepages, network namespaces) and this machine has no sudo: run it as root" >&2
        exit 2
    fi
    as_root_env=()
    for as_root_var in $(compgen -e); do
        [[ $as_root_var == ICS_* || $as_root_var == RATE || $as_root_var == PAGES ]] &&
            as_root_env+=("$as_root_var=${!as_root_var}")
    done
    exec sudo -- env "${as_root_env[@]}" bash "$(readlink -f "$0")" "$@"
fi
