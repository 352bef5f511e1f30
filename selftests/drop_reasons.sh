#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Why vnl dropped a frame (kmod/drop.c): each reason that can be provoked
# at will is provoked a known number of times, and each time three
# witnesses must agree: the reason's counter of `vnlctl -j stats` (the
# "drops" object), the drop_<reason> counter of `ethtool -S`, and the
# vnl:vnl_drop trace event, read in a tracefs instance of the test's own,
# with that reason on that device.  The device's rx_drops or tx_drops
# moves by as much.  Also `ethtool -i` (driver vnl, bus-info the kind),
# the `ethtool -S` keys of each kind, and `ethtool -k` against the
# features the code sets (kmod/dev.c:vnl_dev_setup, kmod/tun.c:vnl_tun_setup).
#
#   pair    pa (ns A) <-> pb (ns B, MTU 1280): too_big; peer_down (pb
#           taken down under traffic: frames already past pa's qdisc when
#           its carrier goes meet it; how many is the race's, so at least
#           one, and the witnesses agree)
#   pair    fa1 <-> fb1, fa2 <-> fb2 (ns F), fa1 and fa2 ports of bridge
#           brf: backlog_full (net.core.netdev_max_backlog=0 lets one
#           frame wait in a CPU's backlog; a broadcast sent on brf is
#           flooded to both ports with bottom halves off, so fb1 and fb2
#           meet one backlog: one of the two copies is dropped)
#   tap     tq (ns T), tx_queue_len 4, a reader that never reads:
#           bad_write, queue_full, unread, then no_reader (a file
#           attached and detached under traffic, a race as peer_down)
#   macvlan m1 (ns C1), m2 (ns C2) on eth0 (ns H) <-veth-> eth1 -- br0
#           (ns LAN, hairpin on): too_big (a bridge flood to a sibling of
#           smaller MTU), mode (private, hairpinned), parent (the parent's
#           egress drops everything); bc_queue_full on eth0 (both children
#           ask for a broadcast queue of 0, so eth0 queues nothing: each
#           broadcast from the LAN is dropped, exactly, whatever the flood
#           work's speed; then a queue again, and a broadcast gets through)
#   macvlan pt (ns H), passthru on pp0 <-veth-> pp1: child_down (pt down:
#           a passthru child owns its parent's unicast, up or down)
#
#   tap     tq again: nomem (failslab, the kernel's fault injection, fails
#           the writer's slab allocations for one write(): ENOMEM, and the
#           frame counted; only the debug kernel has failslab, Debian's
#           kernels skip it)

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd ethtool python3 tc bridge

trace_open vnl_drop

# --- the witnesses ------------------------------------------------------------
# One process per witness and per reading: in the debug guest under TCG
# each process start costs a quarter of a second, and these readings are
# most of the test's processes.

# ethtool_key TEXT KEY: KEY's counter in TEXT, the output of ethtool -S.
ethtool_key() {
	local re=$'(^|\n) *'"$2"': ([0-9]+)'
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

# ethtool_stat NS DEV KEY: one counter of ethtool -S.
ethtool_stat() {
	local out
	out=$(ip netns exec "$1" ethtool -S "$2") || return 1
	ethtool_key "$out" "$3"
}

# The keys of ethtool -S, in order, on one line.
ethtool_keys() {
	local out line keys=()
	out=$(ip netns exec "$1" ethtool -S "$2") || return 1
	while read -r line; do
		[[ $line =~ ^([a-z_]+):\ [0-9]+$ ]] && keys+=("${BASH_REMATCH[1]}")
	done <<<"$out"
	echo "${keys[*]}"
}

# ethtool_field TEXT KEY: the value after "KEY: " in ethtool -i or -k
# output TEXT (for -k, "on" or "off" without a "[fixed]").
ethtool_field() {
	local re=$'(^|\n)'"$2"$': ([^\n ]*)'
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

# drop_events DEV REASON: how many vnl:vnl_drop events named DEV and REASON.
drop_events() {
	grep -cE ": vnl_drop: dev=$1 ifindex=[0-9]+ netns=[0-9]+ len=[0-9]+ proto=0x[0-9a-f]{4} reason=$2\$" \
		"$TRACE_INST/trace"
}

# witnesses NS DEV REASON DIR: the four counts, in W: the reason's counter
# in vnlctl -j stats' "drops", ethtool -S drop_REASON, the vnl:vnl_drop
# events with that reason on DEV, and the device's DIR_drops (DIR: rx or
# tx, the counter the drop adds to); the stats' JSON in STATS.
witnesses() {
	local eth v e t d
	STATS=$(vnlctl -n "$1" -j stats "$2") || return 1
	eth=$(ip netns exec "$1" ethtool -S "$2") || return 1
	v=$(json_get "$STATS" drops "$3")
	e=$(ethtool_key "$eth" "drop_$3")
	t=$(drop_events "$2" "$3")
	d=$(json_get "$STATS" stats "$4_drops")
	W=("${v:-0}" "${e:-0}" "${t:-0}" "${d:-0}")
}

declare -A BASE
# snap NS DEV REASON DIR: remember the witnesses' counts before an
# experiment.
snap() {
	witnesses "$@"
	BASE[$2/$3]="${W[*]}"
}

# moved NS DEV REASON DIR N: each witness moved by exactly N.
moved() {
	local dev=$2 why=$3 dir=$4 n=$5 base
	witnesses "$@"
	read -ra base <<<"${BASE[$dev/$why]}"
	check_eq "$dev $why: vnlctl stats drops.$why +$n" "$n" "$((W[0] - base[0]))"
	check_eq "$dev $why: ethtool -S drop_$why +$n" "$n" "$((W[1] - base[1]))"
	check_eq "$dev $why: $n vnl:vnl_drop events dev=$dev reason=$why" "$n" "$((W[2] - base[2]))"
	check_eq "$dev $why: ${dir}_drops +$n" "$n" "$((W[3] - base[3]))"
}

# moved_some NS DEV REASON DIR [OTHER...]: for a drop that only a race
# meets (the devices's carrier is off but frames already on their way to
# its ndo_start_xmit still arrive): it happened at least once, the
# witnesses agree on how often, and DIR_drops moved by that plus what the
# OTHER reasons (snapped too) moved.
moved_some() {
	local dev=$2 why=$3 dir=$4 n r o base other
	witnesses "$@"
	shift 4
	read -ra base <<<"${BASE[$dev/$why]}"
	n=$((W[0] - base[0]))
	check "$dev $why: provoked ($n times)" test "$n" -gt 0
	check_eq "$dev $why: ethtool -S drop_$why moved as vnlctl's" "$n" "$((W[1] - base[1]))"
	check_eq "$dev $why: as many vnl:vnl_drop events" "$n" "$((W[2] - base[2]))"
	r=$n
	for o in "$@"; do
		read -ra other <<<"${BASE[$dev/$o]}"
		r=$((r + $(json_get "$STATS" drops "$o") - other[0]))
	done
	check_eq "$dev $why: ${dir}_drops moved by it${1:+ and by $*}" "$r" "$((W[3] - base[3]))"
}

# frames NS DEV DST N: N frames of 60 bytes to DST sent on DEV by a packet
# socket, in one process.
frames() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = bytes.fromhex(sys.argv[2].replace(":", "")) + bytes(6) + b"\x88\xb5" + bytes(46)
for _ in range(int(sys.argv[3])):
    s.send(frame)
' "$2" "$3" "$4"
}

# blast NS DEV [PPS]: PPS frames a second (default 1,000: few enough
# that the trace buffer keeps every drop event) on DEV, in the
# background, until blast_stop.
blast() {
	ip netns exec "$1" "$(dirname "$0")/vnl_fault" blast "$2" -t 120 -r "${3:-1000}" -k \
		>"$TEST_TMP/blast-$2" 2>&1 &
	BLASTER=$!
	track_bg "$BLASTER"
}
blast_stop() {
	kill "$BLASTER" 2>/dev/null
	wait "$BLASTER" 2>/dev/null
}

ifindex_of() {
	local out
	out=$(ip -n "$1" -o link show dev "$2") || return 1
	echo "${out%%:*}"
}

# The broadcasts sent to a parent whose queue takes none.
BC_N=100

setup_ns A B F T H LAN C1 C2
no_ipv6 "$A" "$B" "$F" "$T" "$H" "$LAN" "$C1" "$C2"

echo "# pair: too_big"
check "vnlctl add pair pa peer pb" \
	vnlctl add pair pa netns "$A" peer pb peer-netns "$B" || exit_status
ip -n "$A" addr add 10.214.0.1/24 dev pa
ip -n "$B" addr add 10.214.0.2/24 dev pb
ip -n "$A" link set pa up
ip -n "$B" link set pb up
ip -n "$A" neigh replace 10.214.0.2 lladdr "$(vnl_field "$B" pb address)" dev pa nud permanent
check "pair: ping A -> B" vping "$A" 10.214.0.2 -c 1

info=$(ip netns exec "$A" ethtool -i pa)
check_eq "pa: ethtool -i driver" "vnl" "$(ethtool_field "$info" driver)"
check_match "pa: ethtool -i version" '^[0-9]+\.[0-9]+\.[0-9]+$' "$(ethtool_field "$info" version)"
check_eq "pa: ethtool -i bus-info is the kind" "pair" "$(ethtool_field "$info" bus-info)"
check_eq "pa: ethtool -S keys" "peer_ifindex xdp_pass xdp_tx xdp_redirect xdp_xmit drop_peer_down drop_too_big drop_backlog_full drop_unread drop_nomem drop_ring_full drop_xdp_drop drop_xdp_aborted drop_xdp_tx_err drop_xdp_redirect_err" \
	"$(ethtool_keys "$A" pa)"
check_eq "pa: ethtool -S peer_ifindex is pb's ifindex" "$(ifindex_of "$B" pb)" \
	"$(ethtool_stat "$A" pa peer_ifindex)"
check_eq "pb: ethtool -S peer_ifindex is pa's ifindex" "$(ifindex_of "$A" pa)" \
	"$(ethtool_stat "$B" pb peer_ifindex)"
# As veth: the frame stays in memory, so the offloads cost nothing.
feat=$(ip netns exec "$A" ethtool -k pa)
check_eq "pa: ethtool -k scatter-gather on" on "$(ethtool_field "$feat" scatter-gather)"
check_eq "pa: ethtool -k tx-checksumming on" on "$(ethtool_field "$feat" tx-checksumming)"
check_eq "pa: ethtool -k generic-segmentation-offload on" on \
	"$(ethtool_field "$feat" generic-segmentation-offload)"

ip -n "$B" link set pb mtu 1280
snap "$A" pa too_big tx
# 1428 bytes of IPv4 fit pa's MTU (no fragment), not pb's.
vping "$A" 10.214.0.2 -c 3 -i 0.1 -W 1 -s 1400 -M dont
moved "$A" pa too_big tx 3
check_eq "pb: no drop on the receiving end" 0 "$(vnl_stat "$B" pb rx_drops)"
ip -n "$B" link set pb mtu 1500

# pb goes down while pa sends: pa's carrier goes at once, but its qdisc
# is switched off only when linkwatch gets to it, after the request that
# took pb down releases RTNL; the frames sent in between meet a peer that
# is down.  Alone, pb's close makes that window short (5.10 under a busy
# make check missed it ten times in a row), so pb goes down in a group
# with 20 dummy devices made after it: one request closes them in
# netdev-list order, pb first, and each close waits for an RCU grace
# period (synchronize_net() in dev_deactivate_many()) with RTNL held.
# pa sends 5 frames every millisecond.  Up to 10 tries.
echo "# pair: peer_down"
for i in $(seq 20); do echo "link add pdg$i group 7 type dummy"; done |
	ip -n "$B" -batch - || exit_status
ip -n "$B" link set dev pb group 7
ip -n "$B" link set group 7 up
snap "$A" pa peer_down tx
tx0=$(vnl_stat "$A" pa tx_packets)
blast "$A" pa 5000
# The blaster takes a moment to start: a try before it sends is wasted.
sending() { (($(vnl_stat "$A" pa tx_packets) > tx0)); }
check "pa: the blaster sends" wait_until 30 sending
for try in 1 2 3 4 5 6 7 8 9 10; do
	ip -n "$B" link set group 7 down
	wait_until 10 lacks_flag "$A" pa LOWER_UP
	ip -n "$B" link set group 7 up
	wait_until 10 has_flag "$A" pa LOWER_UP
	witnesses "$A" pa peer_down tx
	read -ra base <<<"${BASE[pa/peer_down]}"
	((W[0] > base[0])) && break
done
blast_stop
moved_some "$A" pa peer_down tx
echo "# INFO: peer_down: caught on try $try"

echo "# pair: backlog_full"
check "vnlctl add pair fa1 peer fb1, fa2 peer fb2" eval \
	"vnlctl -n $F add pair fa1 peer fb1 && vnlctl -n $F add pair fa2 peer fb2" || exit_status
# Without multicast snooping: a snooping bridge joins the all-snoopers
# group (224.0.0.106) and repeats its IGMP report for a while after it
# comes up: a 54-byte frame flooded to both ports like the broadcasts,
# one more copy for the backlog to drop when it comes while the backlog
# is 0 (seen on 7.2).
ip -n "$F" link add brf type bridge mcast_snooping 0
ip -n "$F" link set fa1 master brf
ip -n "$F" link set fa2 master brf
for d in fa1 fb1 fa2 fb2 brf; do ip -n "$F" link set "$d" up; done
forwarding() {
	[[ $(bridge -n "$F" link show | grep -c 'state forwarding') == 2 ]]
}
check "brf: both ports forwarding" wait_until 10 forwarding
backlog=$(sysctl -n net.core.netdev_max_backlog)
cleanup() { sysctl -qw net.core.netdev_max_backlog="$backlog"; }
snap "$F" fb1 backlog_full rx
snap "$F" fb2 backlog_full rx
sysctl -qw net.core.netdev_max_backlog=0
check "brf: 3 broadcasts sent" frames "$F" brf ff:ff:ff:ff:ff:ff 3
sysctl -qw net.core.netdev_max_backlog="$backlog"
# Which port the bridge floods first is its business: the sums are ours.
# sum_moved: how far each witness moved, fb1's and fb2's added.
sum_moved() {
	local d n v e r base
	n=0 v=0 e=0 r=0
	for d in fb1 fb2; do
		witnesses "$F" $d backlog_full rx
		read -ra base <<<"${BASE[$d/backlog_full]}"
		n=$((n + W[0] - base[0]))
		v=$((v + W[1] - base[1]))
		e=$((e + W[2] - base[2]))
		r=$((r + W[3] - base[3]))
	done
	echo "$n $v $e $r"
}
check_eq "fb1+fb2 backlog_full: vnlctl, ethtool -S, vnl_drop events, rx_drops all +3" "3 3 3 3" "$(sum_moved)" ||
	grep -E ": vnl_drop: dev=fb[12] .*reason=backlog_full$" "$TRACE_INST/trace" | sed 's/^/#     /'

echo "# tap: bad_write, queue_full, unread"
check "vnlctl add tap tq (persistent)" vnlctl -n "$T" add tap tq || exit_status
ip -n "$T" link set tq txqueuelen 4
ip -n "$T" addr add 10.214.1.1/24 dev tq
ip -n "$T" neigh replace 10.214.1.2 lladdr 02:00:00:d4:01:02 dev tq nud permanent

check_eq "tq: ethtool -i bus-info is the kind" "tap" \
	"$(ethtool_field "$(ip netns exec "$T" ethtool -i tq)" bus-info)"
check_eq "tq: ethtool -S keys" \
	"xdp_pass xdp_tx xdp_redirect xdp_xmit drop_too_big drop_no_reader drop_queue_full drop_unread drop_bad_write drop_nomem drop_xdp_drop drop_xdp_aborted drop_xdp_tx_err drop_xdp_redirect_err" \
	"$(ethtool_keys "$T" tq)"
# Frames go to read() as they are: no checksum or segmentation offload.
feat=$(ip netns exec "$T" ethtool -k tq)
check_eq "tq: ethtool -k tx-checksumming off" off "$(ethtool_field "$feat" tx-checksumming)"
check_eq "tq: ethtool -k tcp-segmentation-offload off" off \
	"$(ethtool_field "$feat" tcp-segmentation-offload)"
check_eq "tq: ethtool -k scatter-gather on" on "$(ethtool_field "$feat" scatter-gather)"

# The reader: attaches to tq, writes what it is told, never reads but to
# empty the queue when told, closes at EOF.  One word per answer.
cat >"$TEST_TMP/tapfd.py" <<'EOF'
import errno, fcntl, os, struct, sys
fd = os.open("/dev/vnl", os.O_RDWR | os.O_NONBLOCK)
try:
    mif = os.open("/proc/self/make-it-fail", os.O_WRONLY)
except OSError:
    mif = None
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0002 | 0x1000))
print("attached", flush=True)
for line in sys.stdin:
    cmd = line.split()
    try:
        if cmd[0] == "write":
            os.write(fd, bytes(int(cmd[1])))
            print("ok", flush=True)
        elif cmd[0] == "failwrite":
            # Nothing but the write() between the two switches: this
            # task's allocations fail (failslab's task-filter) in it only.
            frame = bytes(int(cmd[1]))
            os.write(mif, b"1")
            try:
                os.write(fd, frame)
            finally:
                os.write(mif, b"0")
            print("ok", flush=True)
        elif cmd[0] == "drain":
            n = 0
            try:
                while True:
                    os.read(fd, 65536)
                    n += 1
            except BlockingIOError:
                print("drained", n, flush=True)
    except OSError as e:
        print(errno.errorcode[e.errno], flush=True)
os.close(fd)
print("closed", flush=True)
EOF
coproc TAPFD { ip netns exec "$T" python3 "$TEST_TMP/tapfd.py" tq 2>&1; }
track_bg "$TAPFD_PID"
tapfd() {
	local ans
	(($#)) && echo "$*" >&"${TAPFD[1]}"
	read -r -t 30 ans <&"${TAPFD[0]}" && echo "$ans"
}
check_eq "tq: a file attached" attached "$(tapfd)" || exit_status
ip -n "$T" link set tq up
check "tq: carrier on" wait_until 10 has_flag "$T" tq LOWER_UP

# Shorter than an Ethernet header: refused with EINVAL, counted.
snap "$T" tq bad_write rx
for i in 1 2 3; do
	check_eq "tq: write() of 10 bytes: EINVAL" EINVAL "$(tapfd write 10)"
done
moved "$T" tq bad_write rx 3

# The queue's own counters (ethtool -S queue0_*, kmod/ethtool.c).
q_stat() {
	ethtool_stat "$T" tq "queue0_$1"
}
written0=$(q_stat written)
check_eq "tq: write() of a 60-byte frame" ok "$(tapfd write 60)"
check_eq "tq: ethtool -S queue0_written moved by 1" $((written0 + 1)) "$(q_stat written)"

# No memory for the frame: failslab fails every slab allocation of a task
# whose /proc/PID/make-it-fail is 1 (task-filter), sleeping ones too
# (ignore-gfp-wait N), without a word in the log (verbose 0).
FAILSLAB=/sys/kernel/debug/failslab
failslab() {
	local attr val
	while (($#)); do
		attr=$1 val=$2
		shift 2
		echo "$val" >"$FAILSLAB/$attr" || return 1
	done
}
if [[ -w $FAILSLAB/probability && -e /proc/self/make-it-fail ]] &&
	failslab verbose 0 task-filter Y ignore-gfp-wait N interval 1 times -1 space 0 probability 100; then
	snap "$T" tq nomem rx
	check_eq "tq: write() of a 60-byte frame while its allocations fail: ENOMEM" ENOMEM \
		"$(tapfd failwrite 60)"
	moved "$T" tq nomem rx 1
	check_eq "tq: ethtool -S queue0_written did not move" $((written0 + 1)) "$(q_stat written)"
	failslab probability 0 task-filter N ignore-gfp-wait Y times 1 verbose 2
	check_eq "tq: with memory again, write() of a 60-byte frame" ok "$(tapfd write 60)"
else
	# Not a skip of the whole test, which ran everything else.
	echo "INFO: tq nomem not provoked: this kernel has no failslab (the debug kernel has it)"
fi

# A queue of 4 with nothing in it: 7 echo requests, 4 wait, 3 dropped.
check_match "tq: queue emptied" '^drained [0-9]+$' "$(tapfd drain)"
qs=$(ip netns exec "$T" ethtool -S tq)
queued0=$(ethtool_key "$qs" queue0_queued)
check_eq "tq: after the drain, queue0_read equals queue0_queued" "$queued0" "$(ethtool_key "$qs" queue0_read)"
check_eq "tq: and queue0_waiting is 0" 0 "$(ethtool_key "$qs" queue0_waiting)"
snap "$T" tq queue_full tx
snap "$T" tq unread tx
vping "$T" 10.214.1.2 -c 7 -i 0.05 -W 1
moved "$T" tq queue_full tx 3
qs=$(ip netns exec "$T" ethtool -S tq)
check_eq "tq: queue0_queued moved by the 4 frames taken" $((queued0 + 4)) "$(ethtool_key "$qs" queue0_queued)"
check_eq "tq: queue0_waiting: the 4 frames unread" 4 "$(ethtool_key "$qs" queue0_waiting)"
# The 4 frames still queued when the file goes are dropped unread
# (tx_drops has moved with queue_full since unread's snap: a new base).
read -ra base <<<"${BASE[tq/unread]}"
BASE[tq/unread]="${base[0]} ${base[1]} ${base[2]} $(vnl_stat "$T" tq tx_drops)"
eval "exec ${TAPFD[1]}>&-"
check_eq "tq: the file closed" closed "$(tapfd)"
moved "$T" tq unread tx 4

# A file attaches and detaches while tq sends: the frames already on
# their way when the last file goes find no reader (the others wait in
# the queue, then go unread, or find it full).
echo "# tap: no_reader"
check "tq without a file: no carrier" wait_until 10 lacks_flag "$T" tq LOWER_UP
for r in no_reader queue_full unread; do snap "$T" tq $r tx; done
blast "$T" tq
ip netns exec "$T" python3 -c '
import fcntl, os, struct, sys, time
for _ in range(20):
    fd = os.open("/dev/vnl", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tq", 0x0002 | 0x1000))
    time.sleep(0.05)
    os.close(fd)
    time.sleep(0.05)
'
blast_stop
moved_some "$T" tq no_reader tx queue_full unread

echo "# macvlan: too_big, mode, parent"
ip -n "$H" link add eth0 type veth peer name eth1 netns "$LAN" || exit_status
ip -n "$LAN" link add br0 type bridge
ip -n "$LAN" link set eth1 master br0
ip -n "$LAN" link set eth1 up
ip -n "$LAN" link set br0 up
ip -n "$LAN" addr add 10.214.2.254/24 dev br0
ip -n "$H" link set eth0 up
check "vnlctl add macvlan m1, m2 parent eth0 mode bridge" eval \
	"vnlctl -n $H add macvlan m1 parent eth0 mode bridge netns $C1 &&
	 vnlctl -n $H add macvlan m2 parent eth0 mode bridge netns $C2" || exit_status
ip -n "$C1" addr add 10.214.2.1/24 dev m1
ip -n "$C2" addr add 10.214.2.2/24 dev m2
ip -n "$C1" link set m1 up
ip -n "$C2" link set m2 up
mac1=$(vnl_field "$C1" m1 address)
mac2=$(vnl_field "$C2" m2 address)
ip -n "$C1" neigh replace 10.214.2.2 lladdr "$mac2" dev m1 nud permanent
check "macvlan: m1 reaches m2 (bridge)" vping "$C1" 10.214.2.2 -c 1

check_eq "m1: ethtool -i bus-info is the kind" "macvlan" \
	"$(ethtool_field "$(ip netns exec "$C1" ethtool -i m1)" bus-info)"
check_eq "m1: ethtool -S keys" \
	"bc_drops drop_too_big drop_backlog_full drop_child_down drop_mode drop_parent drop_nomem" \
	"$(ethtool_keys "$C1" m1)"
check_eq "m1: ethtool -k scatter-gather on" on \
	"$(ethtool_field "$(ip netns exec "$C1" ethtool -k m1)" scatter-gather)"

# A bridge-mode broadcast goes to each sibling as it is: 1400 bytes of
# payload fit m1's MTU, not m2's.
ip -n "$C2" link set m2 mtu 1280
snap "$C2" m2 too_big rx
check "m1: 3 broadcast frames of 1414 bytes sent" ip netns exec "$C1" python3 -c '
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("m1", 0))
src = bytes.fromhex("'"${mac1//:/}"'")
for _ in range(3):
    s.send(b"\xff" * 6 + src + b"\x88\xb5" + bytes(1400))
'
moved "$C2" m2 too_big rx 3
ip -n "$C2" link set m2 mtu 1500

# Private children, and a switch that sends m1's frames back: m2 drops them.
vnlctl -n "$C1" set m1 mode private && vnlctl -n "$C2" set m2 mode private
bridge -n "$LAN" link set dev eth1 hairpin on
snap "$C2" m2 mode rx
check_not "private: m1 does not reach m2" vping "$C1" 10.214.2.2 -c 3 -i 0.1 -W 1
moved "$C2" m2 mode rx 3

# The parent's egress drops everything (tc): the child's frames with it.
if tc -n "$H" qdisc add dev eth0 clsact 2>/dev/null &&
	tc -n "$H" filter add dev eth0 egress matchall action drop 2>/dev/null; then
	ip -n "$C1" neigh replace 10.214.2.254 lladdr "$(ip -n "$LAN" -br link show br0 | awk '{print $3}')" \
		dev m1 nud permanent
	snap "$C1" m1 parent tx
	check_not "parent drops all: m1 does not reach the LAN" vping "$C1" 10.214.2.254 -c 3 -i 0.1 -W 1
	moved "$C1" m1 parent tx 3
	tc -n "$H" qdisc del dev eth0 clsact
else
	check_skip "m1 parent: no tc clsact or matchall drop in this kernel"
fi

echo "# macvlan: child_down"
ip -n "$H" link add pp0 type veth peer name pp1
ip -n "$H" link set pp0 up
ip -n "$H" link set pp1 up
check "vnlctl add macvlan pt parent pp0 mode passthru" \
	vnlctl -n "$H" add macvlan pt parent pp0 mode passthru || exit_status
# pt stays down: pp0's unicast is pt's all the same.
snap "$H" pt child_down rx
check "pp1: 3 frames sent to pp0's (and pt's) address" frames "$H" pp1 "$(vnl_field "$H" pt address)" 3
moved "$H" pt child_down rx 3

# eth0's broadcast queue takes as many frames as the longest its children
# ask for (kmod/port.c:vnl_port_update_bc_queue_len): with m1 and m2 both
# asking for none, every broadcast from the LAN is dropped as it would be
# queued (port.c:vnl_port_queue_flood), so the count is exact whatever
# the speed of the flood work.  Each drop is the port's: in bc_drops
# (each child shows it) and traced on the parent, never in a child's own
# counters, and no child gets the frame.
echo "# macvlan: bc_queue_full"
# bcq NS NAME: "asked used" of a child's broadcast queue lengths.
bcq() {
	local out
	out=$(vnlctl -n "$1" -j show "$2") || return 1
	echo "$(json_get "$out" bc_queue_len) $(json_get "$out" bc_queue_len_used)"
}
check_eq "m1 asks for the default queue, 1000, and eth0 uses it" "1000 1000" "$(bcq "$C1" m1)"
check "vnlctl set m1 bcqueuelen 0" vnlctl -n "$C1" set m1 bcqueuelen 0
check_eq "m2 still asks for 1000: eth0 uses 1000" "1000 1000" "$(bcq "$C2" m2)"
check "vnlctl set m2 bcqueuelen 0" vnlctl -n "$C2" set m2 bcqueuelen 0
check_eq "every child of eth0 asks for 0: eth0 uses 0" "0 0 0 0" "$(bcq "$C1" m1) $(bcq "$C2" m2)"
bc0=$(vnl_field "$C1" m1 bc_drops)
bce0=$(ethtool_stat "$C1" m1 bc_drops)
ev0=$(drop_events eth0 bc_queue_full)
# read_children: vnlctl -j stats of m1 and m2 in STATS1 and STATS2;
# children_stat COUNTER: "m1's m2's" values of a counter in them.
read_children() {
	STATS1=$(vnlctl -n "$C1" -j stats m1) && STATS2=$(vnlctl -n "$C2" -j stats m2)
}
children_stat() {
	echo "$(json_get "$STATS1" stats "$1") $(json_get "$STATS2" stats "$1")"
}
read_children
read -r rx1 rx2 <<<"$(children_stat rx_packets)"
read -r rxd1 rxd2 <<<"$(children_stat rx_drops)"
check "the LAN sends $BC_N broadcasts to eth0" frames "$LAN" eth1 ff:ff:ff:ff:ff:ff "$BC_N"
bc_moved_by() {
	(($(vnl_field "$C1" m1 bc_drops) - bc0 >= $1))
}
wait_until 10 bc_moved_by "$BC_N"
nap 0.5	# time for a frame too many, were there one
check_eq "bc_queue_full: vnlctl show m1: bc_drops +$BC_N" "$BC_N" "$(($(vnl_field "$C1" m1 bc_drops) - bc0))"
check_eq "bc_queue_full: vnlctl show m2: the same port's bc_drops" \
	"$(vnl_field "$C1" m1 bc_drops)" "$(vnl_field "$C2" m2 bc_drops)"
check_eq "bc_queue_full: ethtool -S bc_drops on m1 +$BC_N" "$BC_N" \
	"$(($(ethtool_stat "$C1" m1 bc_drops) - bce0))"
check_eq "bc_queue_full: $BC_N vnl:vnl_drop events dev=eth0 reason=bc_queue_full" "$BC_N" \
	"$(($(drop_events eth0 bc_queue_full) - ev0))"
check_eq "bc_queue_full: no such event on a child" 0 \
	"$(grep -cE ': vnl_drop: dev=m[12] .* reason=bc_queue_full$' "$TRACE_INST/trace")"
read_children
check_eq "bc_queue_full: not in vnlctl's drops of a child" "" "$(json_get "$STATS1" drops bc_queue_full)"
check_eq "bc_queue_full: not in m1's or m2's rx_drops" "$rxd1 $rxd2" "$(children_stat rx_drops)"
check_eq "bc_queue_full: m1 and m2 received none of them" "$rx1 $rx2" "$(children_stat rx_packets)"

# m1 asks for a queue again: eth0 uses it, and broadcasts reach both.
check "vnlctl set m1 bcqueuelen 1000" vnlctl -n "$C1" set m1 bcqueuelen 1000
check_eq "m1 asks for 1000, m2 for 0: eth0 uses 1000" "1000 1000 0 1000" \
	"$(bcq "$C1" m1) $(bcq "$C2" m2)"
bc1=$(vnl_field "$C1" m1 bc_drops)
check "the LAN sends 3 broadcasts to eth0" frames "$LAN" eth1 ff:ff:ff:ff:ff:ff 3
both_got_3() {
	local r1 r2
	read_children || return 1
	read -r r1 r2 <<<"$(children_stat rx_packets)"
	((r1 - rx1 >= 3 && r2 - rx2 >= 3))
}
wait_until 10 both_got_3
read_children
read -r now1 now2 <<<"$(children_stat rx_packets)"
check_eq "a queue again: m1 and m2 received the 3 broadcasts" "3 3" "$((now1 - rx1)) $((now2 - rx2))"
check_eq "a queue again: no bc_drops" "$bc1" "$(vnl_field "$C1" m1 bc_drops)"
vnlctl -n "$C2" set m2 bcqueuelen 1000

exit_status
