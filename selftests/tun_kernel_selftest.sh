#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own tun selftest, run against /dev/vnl: Linux 6.12's
# tools/testing/selftests/net/tun.c, built here from Debian's
# linux-source-6.12 with one change, the device path (/dev/net/tun ->
# /dev/vnl).  It makes multi-queue taps with IFF_NAPI and detaches,
# reattaches, deletes (RTM_DELLINK) and closes them in every order its
# five cases name; all of them must pass.
#
# The three files it needs (tun.c, kselftest_harness.h, kselftest.h) are
# taken from build/ksft-6.12/, where `make -C selftests` extracts them on
# the host; without them they are extracted here, from
# /usr/src/linux-source-6.12.tar.xz, which means reading most of that
# archive through xz in the guest: about 9 minutes under TCG.  `make -C
# selftests` also builds it there, with the path changed
# (build/ksft-6.12/net/tun-vnl, from tun-vnl.c), because gcc took minutes
# in a debug-kernel guest; without that binary the program is compiled
# here, in the test's scratch directory.

source "$(dirname "$0")/lib.sh"

require_vnl
require_cmd gcc sed

SRC_TAR=/usr/src/linux-source-6.12.tar.xz
TOP=linux-source-6.12/tools/testing/selftests
CACHE=$(cd "$(dirname "$0")/.." && pwd)/build/ksft-6.12
src=$TEST_TMP/selftests

mkdir -p "$src/net"
bin=
if [[ -x $CACHE/net/tun-vnl && -f $CACHE/net/tun-vnl.c ]]; then
	cp "$CACHE/net/tun-vnl.c" "$src/net/tun.c"
	bin=$CACHE/net/tun-vnl
	check_pass "kernel selftest built on the host (make -C selftests: build/ksft-6.12/net/tun-vnl)"
elif [[ -f $CACHE/net/tun.c && -f $CACHE/kselftest_harness.h && -f $CACHE/kselftest.h ]]; then
	cp "$CACHE/net/tun.c" "$src/net/tun.c"
	cp "$CACHE/kselftest_harness.h" "$CACHE/kselftest.h" "$src/"
	check_pass "kernel selftest sources from build/ksft-6.12"
else
	[[ -r $SRC_TAR ]] || skip_test "needs $SRC_TAR (linux-source-6.12)"
	require_cmd tar xz
	# --occurrence: stop reading once the three files are out.
	echo "# no build/ksft-6.12 (make -C selftests): extracting in the guest, slowly"
	check "extract net/tun.c and the 6.12 harness from linux-source-6.12" \
		tar xf "$SRC_TAR" --occurrence --strip-components=4 -C "$src" \
		"$TOP/net/tun.c" "$TOP/kselftest_harness.h" "$TOP/kselftest.h" ||
		exit_status
fi

# The one change: the device node.  Both counts matter: no /dev/net/tun
# left (the test would silently exercise the kernel's tun), and the path
# present (the sed did find it).
sed -i 's|"/dev/net/tun"|"/dev/vnl"|g' "$src/net/tun.c"
check_eq "tun.c opens /dev/vnl, and /dev/net/tun nowhere" "1 0" \
	"$(grep -c '"/dev/vnl"' "$src/net/tun.c") $(grep -c '/dev/net/tun' "$src/net/tun.c")"

if [[ -z $bin ]]; then
	check "compile tun.c (gcc, against the 6.12 harness)" \
		gcc -O2 -Wall -o "$src/net/tun" "$src/net/tun.c" || exit_status
	bin=./tun
fi

# Its own KTAP output, indented, then the verdict.
out=$(cd "$src/net" && timeout 300 "$bin" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
totals=$(sed -n 's/^# Totals: \(pass:[0-9]* fail:[0-9]*\).*/\1/p' <<<"$out")
check_eq "the kernel's tun selftest exits 0 on /dev/vnl" 0 "$rc"
check_match "its totals: every case passed, none failed" '^pass:[1-9][0-9]* fail:0$' "$totals"
n_cases=$(grep -c '^ok [0-9]* tun\.' <<<"$out")
check_ge "its five cases (delete/detach/reattach/close orders) ran and passed" 5 "$n_cases"

exit_status
