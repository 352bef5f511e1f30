#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: checksum offload on a pair (Documentation/labs/checksum.md).  A vnl
# pair end offers checksum offload (tx-checksumming on), as a veth does,
# so the stack leaves TCP and UDP checksums for the "hardware" to finish,
# and there is none: the frame crosses with a partial checksum, marked
# CHECKSUM_PARTIAL, which the receiving stack trusts.  tcpdump, which
# sees the bytes, says "incorrect".  With `ethtool -K va tx off` the stack
# computes them in software, and tcpdump agrees.  ICMP is always summed
# in software.  The commands are the page's, in its order.
#
#   ns A: va 10.226.1.1/24 <-pair-> vb 10.226.1.2/24 (ns B)

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd tcpdump ethtool

setup_ns A B
no_ipv6 "$A" "$B"

check "vnlctl add pair va netns a peer vb peer-netns b" \
	vnlctl add pair va netns "$A" peer vb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.226.1.1/24 dev va
ip -n "$B" addr add 10.226.1.2/24 dev vb
ip -n "$A" link set va up
ip -n "$B" link set vb up

# capture NAME N: tcpdump -vv -c N on va, in the background; done waits
# for it to stop by itself, after N packets.
capture() {
	ip netns exec "$A" tcpdump -i va -nn -vv -l -c "$2" 'tcp or icmp' \
		>"$TEST_TMP/$1.txt" 2>"$TEST_TMP/$1.err" &
	cap_pid=$!
	track_bg "$cap_pid"
	wait_until 30 grep -q "listening on" "$TEST_TMP/$1.err"
}
done_capture() {
	wait_until 20 eval '! kill -0 $cap_pid' || return 1
	sed 's/^/    /' "$TEST_TMP/$1.txt"
	out=$(<"$TEST_TMP/$1.txt")
}
# A TCP connection attempt from a to port 7 of b, where nobody listens:
# a SYN, and b's reset.  bash's /dev/tcp: no program needed.
connect() {
	ip netns exec "$A" bash -c 'exec 3<>/dev/tcp/10.226.1.2/7' 2>/dev/null
}

echo "# Step 1: offload on, as a pair end starts"
out=$(ip netns exec "$A" ethtool -k va)
check_match "ethtool -k va: tx-checksumming: on" $'(^|\n)tx-checksumming: on' "$out"
capture on 4
check_eq "tcpdump -i va -nn -vv -c 4 'tcp or icmp' listening" 0 $? || exit_status
check "ping -c 1 10.226.1.2 from a" vping "$A" 10.226.1.2 -c 1
check_not "connect to 10.226.1.2 port 7: refused" connect
done_capture on
check_eq "tcpdump stops by itself after 4 packets" 0 $?
check_match "the SYN: cksum ... (incorrect -> ...)" \
	"10\.226\.1\.1\.[0-9]+ > 10\.226\.1\.2\.7: Flags \[S\], cksum 0x[0-9a-f]+ \(incorrect -> 0x[0-9a-f]+\)" "$out"
check_match "b's reset, made by the stack in software: cksum ... (correct)" \
	"10\.226\.1\.2\.7 > 10\.226\.1\.1\.[0-9]+: Flags \[R\.\], cksum 0x[0-9a-f]+ \(correct\)" "$out"
check_match "the echo request is there" "ICMP echo request, id [0-9]+, seq 1, length 64" "$out"
check_not "... and its checksum is right: ICMP is summed in software" \
	grep -q "wrong icmp cksum" "$TEST_TMP/on.txt"

echo "# Step 2: offload off"
check "ethtool -K va tx off" ip netns exec "$A" ethtool -K va tx off
out=$(ip netns exec "$A" ethtool -k va)
check_match "ethtool -k va: tx-checksumming: off" $'(^|\n)tx-checksumming: off' "$out"
capture off 2
check_eq "tcpdump -i va -nn -vv -c 2 'tcp or icmp' listening" 0 $? || exit_status
check_not "connect to 10.226.1.2 port 7: refused" connect
done_capture off
check_eq "tcpdump stops by itself after 2 packets" 0 $?
check_match "the SYN: cksum ... (correct)" \
	"10\.226\.1\.1\.[0-9]+ > 10\.226\.1\.2\.7: Flags \[S\], cksum 0x[0-9a-f]+ \(correct\)" "$out"
check "ethtool -K va tx on" ip netns exec "$A" ethtool -K va tx on

exit_status
