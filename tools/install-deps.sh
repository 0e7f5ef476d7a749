#!/bin/sh
# install-deps.sh PKG... - apt-get install the Debian packages that are
# missing. Quiet when everything is already installed; needs root otherwise.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "kubelab: missing packages:$missing; run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null || exit 1
apt-get install -y -qq --no-install-recommends $missing </dev/null
