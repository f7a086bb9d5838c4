#!/usr/bin/env bash
# Build (once per machine) a minimal Debian root with one CPython release, so the Python suites
# can run under versions this machine does not have. Prints the root's path on stdout.
#
#   test/pyroots/build.sh trixie   # Python 3.13
#   test/pyroots/build.sh sid      # Python 3.14
#
# The root is cached outside the clone, under ${XDG_CACHE_HOME:-~/.cache}/hotswap/roots/,
# keyed by release and RECIPE: change the recipe below, bump RECIPE. It is built in a temporary
# folder and renamed when complete, so an interrupted build is never taken as done.
set -euo pipefail

RECIPE=2
MIRROR=${HOTSWAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}

release=${1:?usage: build.sh trixie|sid}
case "$release" in
  trixie) python=python3.13 ;;
  sid) python=python3.14 ;;
  *) echo "build.sh: unknown release '$release' (trixie or sid)" >&2; exit 2 ;;
esac

cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotswap/roots
root=$cache/$release-r$RECIPE
if [[ -f $root/.hotswap-root ]]; then
  echo "$root"
  exit 0
fi

fail() {
  echo "test/pyroots: cannot build the Debian $release root for $python: $*" >&2
  echo "test/pyroots: it needs root (chroot, mount), the debootstrap package and the Debian mirror $MIRROR." >&2
  exit 1
}
[[ $(id -u) == 0 ]] || fail "not running as root"
mkdir -p "$cache"
exec 8>"$cache/.debootstrap.lock"  # both roots may be built at once; one apt-get at a time
flock 8
if ! command -v debootstrap >/dev/null; then
  command -v apt-get >/dev/null || fail "debootstrap is not installed and there is no apt-get"
  echo "test/pyroots: installing the debootstrap package" >&2
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; } >&2 \
    || fail "apt-get install debootstrap failed"
fi
exec 8>&-

mkdir -p "$cache"
# One build per release at a time; a second caller waits and then finds the finished root.
exec 9>"$cache/.$release.lock"
flock 9
if [[ -f $root/.hotswap-root ]]; then
  echo "$root"
  exit 0
fi

# what a killed build left behind (this lock is held, so no build of it is running)
for stale in "$cache/.$release-r$RECIPE".*; do
  [[ -e $stale ]] || continue
  rm -rf --one-file-system "$stale"
done
tmp=$(mktemp -d "$cache/.$release-r$RECIPE.XXXXXX")
cleanup() {
  local rc=$?
  if [[ $rc != 0 ]]; then rm -rf --one-file-system "$tmp" "$tmp.log"; fi
}
trap cleanup EXIT

start=$SECONDS
echo "test/pyroots: building the Debian $release root ($python) in $cache, once per machine..." >&2
debootstrap --variant=minbase "$release" "$tmp" "$MIRROR" >"$tmp.log" 2>&1 || {
  tail -n 20 "$tmp.log" >&2; rm -f "$tmp.log"; fail "debootstrap failed (no network?)"
}
rm -f "$tmp.log"

# Name resolution and the machine's CA bundle, so apt and pip inside reach the registries as the
# host does.
cp /etc/resolv.conf "$tmp/etc/resolv.conf"
mkdir -p "$tmp/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$tmp/etc/ssl/certs/ca-certificates.crt"
# /proc for the package scripts, mounted in a private mount namespace: it goes with the command
in_root() {
  unshare --mount --propagation private /bin/sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
    "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
# git: tests drive a real checkout
packages=("$python" "$python-venv" git)
in_root apt-get install -y -q --no-install-recommends "${packages[@]}" >"$tmp.log" 2>&1 || {
  tail -n 20 "$tmp.log" >&2; rm -f "$tmp.log"; fail "apt-get install ${packages[*]} failed"
}
rm -f "$tmp.log"
in_root apt-get clean
in_root "$python" --version >/dev/null || fail "$python does not run"
echo "$python" >"$tmp/.hotswap-root"
mv -T "$tmp" "$root"
trap - EXIT
echo "test/pyroots: built $root in $((SECONDS - start)) s" >&2
echo "$root"
