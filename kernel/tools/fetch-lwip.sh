#!/bin/sh
# Fetches lwIP 2.1.3, the TCP/IP stack of the "net" component, from Debian's
# source package into the user's cache: ${XDG_CACHE_HOME:-~/.cache}/minnow/
# lwip-2.1.3 (or $MINNOW_LWIP_DIR). lwIP is a dependency, never part of the
# repository. Run by `npm start`/`npm test` (scripts/setup.mjs), by .ci/run,
# and by hand when a build says the sources are missing.
#
# apt runs with settings of its own (a sources list holding one deb-src
# line, its own lists and cache folders), so the user's apt configuration is
# neither read nor changed and no root is needed. apt checks the .dsc
# against the signed Sources index; this script then checks the tarball
# against the .dsc's Checksums-Sha256 line, and also against the hash
# written here, so a changed upload is noticed rather than built.
# Prints the folder on success; an existing, complete folder is left as is.
set -eu

VERSION=2.1.3+dfsg1-2
ORIG=lwip_2.1.3+dfsg1.orig.tar.xz
ORIG_SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
MIRROR=${MINNOW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

cache=${XDG_CACHE_HOME:-$HOME/.cache}/minnow
dest=${MINNOW_LWIP_DIR:-$cache/lwip-2.1.3}
stamp=$dest/.minnow-fetched

if [ -f "$stamp" ] && [ -f "$dest/src/core/tcp_in.c" ]; then
	echo "$dest"
	exit 0
fi

fail() {
	echo "fetch-lwip: $1" >&2
	echo "fix: $2" >&2
	exit 1
}

command -v apt-get >/dev/null 2>&1 ||
	fail "apt-get is not installed: lwIP comes from Debian's source package" \
		"on a machine without apt, unpack lwIP 2.1.3 (https://download.savannah.nongnu.org/releases/lwip/) into $dest and create $stamp"
command -v xz >/dev/null 2>&1 ||
	fail "xz is not installed (lwIP's tarball is .tar.xz)" \
		"sudo apt-get install xz-utils"
[ -f "$KEYRING" ] ||
	fail "$KEYRING is missing, so apt cannot check Debian's signatures" \
		"sudo apt-get install debian-archive-keyring"

work=$cache/apt
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=$KEYRING] $MIRROR $SUITE main" >"$work/sources.list"
set -- -o "Dir::Etc::SourceList=$work/sources.list" \
	-o Dir::Etc::SourceParts=/nonexistent \
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" \
	-o Debug::NoLocking=1 -q
# as root, apt would hand the download to the _apt user, who cannot write
# into a private folder under root's home
[ "$(id -u)" != 0 ] || set -- "$@" -o APT::Sandbox::User=root

echo "fetch-lwip: fetching lwip $VERSION from $MIRROR" >&2
# --error-on=any: an unreachable mirror is an error here, not a warning apt shrugs off
apt-get "$@" update --error-on=any >&2 ||
	fail "apt-get update failed for $MIRROR" \
		"check the network, or set MINNOW_DEBIAN_MIRROR to a Debian mirror you can reach"
(cd "$work/src" && apt-get "$@" source --download-only "lwip=$VERSION" >&2) ||
	fail "apt-get source lwip=$VERSION failed" \
		"check that $MIRROR $SUITE still carries lwip $VERSION"

dsc=$work/src/lwip_$VERSION.dsc
sum=$(sha256sum "$work/src/$ORIG" | cut -d' ' -f1)
grep -q "^ $sum [0-9]* $ORIG\$" "$dsc" ||
	fail "$ORIG does not match the sha256 in $dsc" \
		"delete $work and run this script again"
[ "$sum" = "$ORIG_SHA256" ] ||
	fail "$ORIG has sha256 $sum, not the $ORIG_SHA256 Minnow was tested with" \
		"update ORIG_SHA256 in kernel/tools/fetch-lwip.sh after checking the new upload"

# unpack beside the destination, then move it in place: a cut-off run
# never leaves a half folder that looks complete
tmp=$(mktemp -d "$cache/lwip.XXXXXX")
tar -xJf "$work/src/$ORIG" -C "$tmp"
rm -f "$tmp/pax_global_header" "$tmp/lwip-2.1.3/pax_global_header"
echo "$VERSION $sum" >"$tmp/lwip-2.1.3/.minnow-fetched"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp/lwip-2.1.3" "$dest"
rmdir "$tmp"
rm -rf "$work/src"
echo "$dest"
