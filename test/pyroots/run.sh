#!/usr/bin/env bash
# Run the Python suites under the CPython of a Debian root built by build.sh:
#
#   test/pyroots/run.sh trixie [pytest arguments]   # Python 3.13
#   test/pyroots/run.sh sid [pytest arguments]      # Python 3.14
#
# The root gets a venv with requirements-dev.txt (one per version of that file, kept in the
# root). The clone is bind-mounted into the root at /src/hotswap, which the venv imports the
# package from (as an editable install would). All mounts live in a private mount namespace, so
# runs of several clones at once do not see each other's, and are unmounted on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
release=${1:?usage: run.sh trixie|sid [pytest arguments]}
shift

if [[ -z ${HOTSWAP_PYROOT_NS:-} ]]; then
  root=$("$here/build.sh" "$release")
  exec unshare --mount --propagation private env HOTSWAP_PYROOT_NS="$root" "$0" "$release" "$@"
fi
root=$HOTSWAP_PYROOT_NS
python=$(cat "$root/.hotswap-root")

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mnt() {  # mnt TARGET mount-arguments...
  local target=$1; shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}
mnt "$root/proc" -t proc proc
mnt "$root/dev" --rbind /dev
mnt "$root/tmp" -t tmpfs -o mode=1777 tmpfs
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"

in_root() {
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/home LANG=C.UTF-8 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 "$@"
}

# The venv, keyed by the requirements it was made from. Scripts in a venv name its path, so it
# is built in place and marked complete last: an interrupted install is removed and redone.
src=/src/hotswap
key=$(sha256sum "$repo/requirements-dev.txt" | cut -c1-12)
venv=/opt/hotswap/venv-$key
if [[ ! -f $root$venv/.complete ]]; then
  exec 9>"$root/opt/.hotswap-venv.lock"
  flock 9
  if [[ ! -f $root$venv/.complete ]]; then
    start=$SECONDS
    echo "test/pyroots: installing requirements-dev.txt for $python in the $release root..." >&2
    rm -rf "$root$venv"
    mkdir -p "$root/opt/hotswap"
    cp "$repo/requirements-dev.txt" "$root/opt/hotswap/requirements-$key.txt"
    if ! in_root "$python" -m venv "$venv" \
      || ! in_root "$venv/bin/python" -m pip install -q -r "/opt/hotswap/requirements-$key.txt"; then
      rm -rf "$root$venv"
      echo "test/pyroots: could not install requirements-dev.txt under $python (no network to PyPI?)" >&2
      exit 1
    fi
    touch "$root$venv/.complete"
    echo "test/pyroots: venv ready in $((SECONDS - start)) s" >&2
  fi
  exec 9>&-
fi

# the package is imported from the mounted clone, whatever PYTHONPATH a test sets
for site in "$root$venv"/lib/python3*/site-packages; do
  echo "$src/python_helper" >"$site/hotswap-src.pth"
done
mnt "$root$src" --bind "$repo"
# The suites need no network beyond loopback: a network namespace of their own keeps the ports
# their kernels and servers pick apart from other runs on the machine (two suites at once).
isolate=()
if command -v ip >/dev/null; then
  isolate=(unshare --net /bin/sh -c 'ip link set lo up && exec "$@"' sh)
fi
status=0
"${isolate[@]}" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp/home LANG=C.UTF-8 \
  /bin/sh -c 'mkdir -p "$HOME" && cd "$1" && shift && exec "$@"' sh "$src" \
  env PATH="$venv/bin:/usr/bin:/bin" VIRTUAL_ENV="$venv" PYTHONDONTWRITEBYTECODE=1 \
  ${CI:+CI="$CI"} "$venv/bin/python" -m pytest "$@" || status=$?
exit $status
