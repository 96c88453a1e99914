#!/usr/bin/env bash
# Builds the image from the project's Dockerfile and proves it works as a user runs it: non-root,
# healthy, Swagger up, a job trained over HTTP, and its job, model and losses surviving a restart
# and a new container on the same named volume.
#
# CI has no Docker engine and cannot pull mcr.microsoft.com, so this uses podman and local
# stand-ins for the two .NET base images (a debootstrapped Debian plus the host's .NET; see
# docker/ci/). The Dockerfile itself is built unchanged. Needs root and apt; re-runs reuse the
# stand-ins (remove them with `podman rmi` to rebuild them).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/lstmservice:ci
CONTAINER=lstmservice-ci-$$
VOLUME=lstmservice-ci-data-$$
STOP_TIMEOUT=30 # seconds podman waits after SIGTERM before it kills
export CONTAINERS_CONF=$PWD/docker/ci/containers.conf
WORK=$(mktemp -d)

log() { printf '%s [test-image] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# Each phase's wall time, printed as a table at the end.
phase_report=""
phase_name=""
phase_started=0
end_phase() {
    if [[ -n $phase_name ]]; then
        local seconds=$((SECONDS - phase_started))
        log "-- $phase_name: ${seconds} s"
        phase_report+=$(printf '%-40s %5d s' "$phase_name" "$seconds")$'\n'
    fi
    phase_name=""
}
phase() { end_phase; phase_name=$1; phase_started=$SECONDS; log "== $1"; }

running_container="" # whose logs a failure prints
cleanup() {
    local status=$?
    if [[ $status -ne 0 && -n $running_container ]]; then
        log "podman logs $running_container:"
        podman logs "$running_container" >&2 || true
    fi
    podman rm --force --ignore "$CONTAINER" "$CONTAINER-2" > /dev/null 2>&1 || true
    podman volume rm --force "$VOLUME" > /dev/null 2>&1 || true
    rm -rf "$WORK"
    if [[ $status -ne 0 ]]; then log "image test failed (exit $status)"; fi
}
trap cleanup EXIT

# --- 1. podman and the stand-in base images -------------------------------------------------

install_tools() {
    local missing=() tool
    for tool in podman runc debootstrap curl; do
        command -v "$tool" > /dev/null || missing+=("$tool")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then log "podman, runc, debootstrap, curl: present"; return; fi
    log "apt-get install ${missing[*]}"
    local install=(apt-get install -y -q -o DPkg::Lock::Timeout=600 "${missing[@]}")
    DEBIAN_FRONTEND=noninteractive "${install[@]}" > "$WORK/apt.log" 2>&1 || {
        log "install failed; apt-get update and again"
        apt-get update -q -o DPkg::Lock::Timeout=600 > "$WORK/apt.log" 2>&1 \
            && DEBIAN_FRONTEND=noninteractive "${install[@]}" >> "$WORK/apt.log" 2>&1 \
            || { cat "$WORK/apt.log" >&2; fail "could not install ${missing[*]}"; }
    }
}

# The Debian mirror apt already uses here (a machine behind a mirror or snapshot keeps using it).
debian_mirror() {
    local mirror
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
            2> /dev/null | grep -v '^[[:space:]]*#' | grep -o -E 'https?://[^ ]+/debian/?( |$)' | head -n 1 || true)
    echo "${mirror:-http://deb.debian.org/debian}" | tr -d ' '
}

create_debian_image() {
    if podman image exists localhost/debian:bookworm; then log "localhost/debian:bookworm: present"; return; fi
    local mirror rootfs=$WORK/rootfs
    mirror=$(debian_mirror)
    log "debootstrap bookworm from $mirror"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$WORK/debootstrap.log" 2>&1 \
        || { tail -n 30 "$WORK/debootstrap.log" >&2; fail "debootstrap"; }
    tar -C "$rootfs" -c . | podman import - localhost/debian:bookworm > /dev/null
    rm -rf "$rootfs"
}

create_dotnet_images() {
    local dotnet_root
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    local build=(podman build --pull=never --network host -v "$dotnet_root:/host-dotnet:ro")
    if podman image exists mcr.microsoft.com/dotnet/aspnet:10.0; then
        log "aspnet:10.0 stand-in: present"
    else
        log "aspnet:10.0 stand-in, with the .NET runtime of $dotnet_root"
        "${build[@]}" -f docker/ci/aspnet.Containerfile -t mcr.microsoft.com/dotnet/aspnet:10.0 docker/ci
    fi
    if podman image exists mcr.microsoft.com/dotnet/sdk:10.0; then
        log "sdk:10.0 stand-in: present"
    else
        log "sdk:10.0 stand-in, with the whole of $dotnet_root"
        "${build[@]}" --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" \
            -f docker/ci/sdk.Containerfile -t mcr.microsoft.com/dotnet/sdk:10.0 docker/ci
    fi
}

# --- 2. the image -----------------------------------------------------------------------------

# Docker format: the OCI format has no HEALTHCHECK. The restore inside reaches NuGet as the host
# does: its network, its CA bundle (a proxy's CA included), its proxy variables (podman passes
# those by default). Podman warns about the build stage's MSBuild sockets; those lines are noise.
build_image() {
    podman build --pull=never --format docker --network host \
        -v /etc/ssl/certs:/etc/ssl/certs:ro -t "$IMAGE" . 2>&1 | grep -v 'since it is a socket'
}

# --- 3. running it ----------------------------------------------------------------------------

# Podman runs the HEALTHCHECK on a systemd timer; without systemd (as on CI) it logs an error
# for each timer it cannot set up or remove. The checks below run it on demand instead.
podman_without_timers() { podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }

base_url=""
start_container() {
    local name=$1
    log "podman run $name on volume $VOLUME"
    podman_without_timers run -d --name "$name" -p 127.0.0.1::8080 -v "$VOLUME:/data" "$IMAGE" > /dev/null
    running_container=$name
    base_url="http://$(podman port "$name" 8080)"
    wait_until_ready "$name"
}

wait_until_ready() {
    local name=$1
    for _ in $(seq 60); do
        if curl -sf -o /dev/null "$base_url/health/ready"; then log "$name ready at $base_url"; return; fi
        [[ $(podman inspect --format '{{.State.Running}}' "$name") == true ]] || fail "$name exited"
        sleep 1
    done
    fail "$name not ready after 60 s"
}

# Prints the answer's body; fails unless its status is the expected one.
request() {
    local expected=$1 method=$2 path=$3 body=${4-}
    local args=(-sS -o "$WORK/body" -w '%{http_code}' -X "$method" "$base_url$path")
    if [[ -n $body ]]; then args+=(-H 'content-type: application/json' --data-binary "$body"); fi
    local status
    status=$(curl "${args[@]}") || fail "$method $path: no answer"
    [[ $status == "$expected" ]] || fail "$method $path answered $status, expected $expected: $(head -c 500 "$WORK/body")"
    cat "$WORK/body"
}

# The first string value of a field in a JSON text (enough for ids and statuses; no jq on CI).
json_string() { { grep -o "\"$1\":\"[^\"]*\"" || true; } | head -n 1 | cut -d '"' -f 4; }

# --- 4. to 7. the checks ----------------------------------------------------------------------

check_container() {
    local uid
    uid=$(podman exec "$CONTAINER" id -u)
    [[ $uid == 1654 ]] || fail "the service runs as uid $uid, not 1654"
    log "runs as uid 1654"
    podman healthcheck run "$CONTAINER" > /dev/null || fail "HEALTHCHECK failed"
    local health
    health=$(podman inspect --format '{{.State.Health.Status}}' "$CONTAINER")
    [[ $health == healthy ]] || fail "health status is '$health'"
    log "HEALTHCHECK passes: $health"
    local page
    page=$(request 200 GET /swagger/index.html)
    [[ $page == *swagger-ui* ]] || fail "/swagger/index.html is not Swagger UI"
    page=$(request 200 GET /openapi/v1.json)
    [[ $page == *'"/api/jobs"'* ]] || fail "/openapi/v1.json does not describe /api/jobs"
    log "Swagger UI and /openapi/v1.json answer"
}

job_id="" model_id=""
train_job() {
    job_id=$(request 202 POST /api/jobs '{
      "name": "container check",
      "data": { "sequences": [
        { "inputs": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], "target": [0.7] },
        { "inputs": [[0.2, 0.3], [0.4, 0.5]],             "target": [0.6] },
        { "inputs": [[0.0, 0.1], [0.2, 0.3], [0.4, 0.5]], "target": [0.6] } ] },
      "model":    { "hiddenSize": 16, "output": { "kind": "dense", "size": 1, "steps": "last" } },
      "training": { "epochs": 50, "learningRate": 0.01, "validationFraction": 0 } }' | json_string id)
    log "job $job_id queued"
    local job status
    for _ in $(seq 120); do
        job=$(request 200 GET "/api/jobs/$job_id")
        status=$(json_string status <<< "$job")
        case $status in
            succeeded) break ;;
            queued | running) sleep 1 ;;
            *) fail "job $job_id ended $status: $job" ;;
        esac
    done
    [[ $status == succeeded ]] || fail "job $job_id still $status after 120 s"
    model_id=$(json_string modelId <<< "$job")
    local epochs
    epochs=$(request 200 GET "/api/jobs/$job_id/losses" | grep -o '"epoch":' | wc -l)
    [[ $epochs == 50 ]] || fail "the loss history has $epochs epochs, not 50"
    log "job $job_id succeeded: model $model_id, 50 epochs of losses"
}

# What must outlive the container: the job, its model, its losses, and the model's predictions.
snapshot() {
    request 200 GET "/api/jobs/$job_id"
    request 200 GET "/api/jobs/$job_id/losses"
    request 200 GET "/api/models/$model_id"
    request 200 POST "/api/models/$model_id/predict" '{ "sequences": [ [[0.3, 0.4], [0.5, 0.6]] ] }'
}

check_data_kept() {
    snapshot > "$WORK/after"
    grep -q '"outputs":\[\[' "$WORK/after" || fail "predict answered without outputs"
    diff "$WORK/before" "$WORK/after" >&2 || fail "$1 changed the job, its model, losses or predictions"
    log "after $1: job, model, losses and predictions identical"
}

graceful_restart() {
    local started=$SECONDS
    podman_without_timers stop --time "$STOP_TIMEOUT" "$CONTAINER" > /dev/null
    local took=$((SECONDS - started)) code
    code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")
    # Killed after the timeout, it would exit 137; on SIGTERM the host stops and exits 0.
    ((took < STOP_TIMEOUT)) && [[ $code == 0 ]] \
        || fail "podman stop took ${took} s (timeout $STOP_TIMEOUT s), exit code $code: not a graceful stop"
    log "stopped gracefully in ${took} s, exit code 0"
    podman_without_timers start "$CONTAINER" > /dev/null
    base_url="http://$(podman port "$CONTAINER" 8080)"
    wait_until_ready "$CONTAINER"
}

phase "tools (apt)"
install_tools
phase "stand-in Debian (debootstrap + import)"
create_debian_image
phase "stand-in .NET images"
create_dotnet_images
phase "podman build"
build_image
phase "run and checks"
podman volume create "$VOLUME" > /dev/null
start_container "$CONTAINER"
check_container
train_job
snapshot > "$WORK/before"
graceful_restart
check_data_kept "a restart"
podman_without_timers stop --time "$STOP_TIMEOUT" "$CONTAINER" > /dev/null
podman_without_timers rm "$CONTAINER" > /dev/null
log "container $CONTAINER removed; a new one on the same volume"
start_container "$CONTAINER-2"
check_data_kept "a new container"
end_phase

image_size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
log "image $IMAGE: $((image_size / 1000000)) MB"
log "wall time per phase:"$'\n'"$phase_report"
log "image test passed"
