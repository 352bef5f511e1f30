#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A macvlan child's tap face (macvtap, Documentation/macvtap.md): what a
# program behind /dev/vnl sees of the child, and what the wire and the
# child's siblings see of the program.
#
#   ns LAN:  eth1 10.88.0.254/24
#              | veth: the wire (no switch, nothing comes back)
#   ns HOST: eth0 -+- mt0  tap face;  "VM" 10.88.0.1 on one file
#                  +- mq0  tap face, multi-queue, bridge; "VM" 10.88.0.3 on two
#                  +- s1   a plain child, in ns SIB, 10.88.0.2, in mt0's mode
#                  +- mn0  tap face living in ns VM; "VM" 10.88.0.4
#            d0 (dummy) -- mp0  tap face, deleted with its parent
#
# First the lab of macvtap.md, its commands in its order, with
# Documentation/labs/tap-responder.py as the machine behind mt0.  Then
# macvtap_vm.py, one python process for every other step (a python start
# costs seconds in a debug guest), plays the machines:
#   - carrier: off with no file, on with one, off again when it closes,
#     the child still there;
#   - refusals: IFF_TUN, IFF_MULTI_QUEUE on a single-queue face and its
#     lack on a multi-queue one (EINVAL), a second file on one queue
#     (EBUSY, as a tap), TUNSETPERSIST 0 and TUNSETCARRIER (EINVAL;
#     TUNSETPERSIST 1 is accepted), a plain child's name (EINVAL); IFF_NAPI
#     taken and ignored;
#   - modes bridge, vepa, private: the wire's ARP (a broadcast) and echo
#     requests reach the file, its answers the wire; frames written to the
#     sibling reach it directly in bridge mode, and go out on the wire
#     instead in vepa and private mode (the wire sends nothing back);
#   - multi-queue: two files, "queues 2" in vnlctl show, 32 UDP flows from
#     the wire spread over both, both files write;
#   - owner and group: who may attach once TUNSETOWNER/TUNSETGROUP are set;
#   - counters: written frames counted as the child's tx, frames read as
#     rx, a 10-byte write as bad_write, and a tap's drop reasons listed;
#   - lifetime: a reader blocked in read() wakes with EBADFD when the
#     child is deleted, and when its parent is; the child's netns outlives
#     its name while a file holds it, and goes with the child once closed.
# No check depends on a time: every wait is bounded and polls.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd python3 jq
REPO=$(cd "$VNL_SELFTESTS/.." && pwd)

LAN_IP=10.88.0.254
MT0_IP=10.88.0.1
S1_IP=10.88.0.2
MQ0_IP=10.88.0.3
MN0_IP=10.88.0.4
MN0_MAC=02:00:00:88:00:04

setup_ns HOST LAN SIB VM
no_ipv6 "$HOST" "$LAN" "$SIB" "$VM"

carrier_is() {
	[[ $(vnl_field "$1" "$2" carrier) == "$3" ]]
}
# json_true JSON FILTER: jq's FILTER holds for JSON.
json_true() {
	jq -e "$2" <<<"$1" >/dev/null
}

# --- the lab (Documentation/macvtap.md), in unique namespaces ------------------------

ip -n "$HOST" link add eth0 type veth peer name eth1 netns "$LAN" ||
	{ echo "FAIL: cannot make the wire"; exit 1; }
ip -n "$HOST" link set eth0 up
ip -n "$LAN" addr add "$LAN_IP/24" dev eth1
ip -n "$LAN" link set eth1 up
check "vnlctl add macvlan mt0 parent eth0 mode bridge tap" \
	vnlctl -n "$HOST" add macvlan mt0 parent eth0 mode bridge tap || exit_status
ip -n "$HOST" link set mt0 up
MT0_MAC=$(mac_of "$HOST" mt0)
out=$(vnlctl -n "$HOST" show mt0)
check_match "vnlctl show mt0: no file, no carrier" 'carrier off' "$out"
check_match "vnlctl show mt0: the tap face, no queue" $'\n    tap queues 0$' "$out"

ip netns exec "$HOST" python3 "$REPO/Documentation/labs/tap-responder.py" mt0 "$MT0_IP" \
	"$MT0_MAC" >"$TEST_TMP/responder.out" 2>&1 </dev/null &
responder=$!
track_bg "$responder"
check "tap-responder.py attached to mt0" \
	wait_until 60 grep -q '^attached to mt0' "$TEST_TMP/responder.out"
# The carrier comes with the file; the child's qdisc once the link watch
# has seen it: until then its stack, and the program's writes, go nowhere.
check "mt0: carrier and its qdisc, with a file" wait_until 20 oper_up "$HOST" mt0
check_match "vnlctl show mt0: one queue" $'\n    tap queues 1$' "$(vnlctl -n "$HOST" show mt0)"
check "ip netns exec LAN ping -c 3 $MT0_IP: answered by the program" \
	vping "$LAN" "$MT0_IP" -c 3 -i 0.3
check_ge "vnlctl stats mt0: rx counts what the program read (ARP, 3 echoes)" 4 \
	"$(vnl_stat "$HOST" mt0 rx_packets)"
check_ge "vnlctl stats mt0: tx counts what it wrote (ARP, 3 replies)" 4 \
	"$(vnl_stat "$HOST" mt0 tx_packets)"
kill "$responder"
wait "$responder" 2>/dev/null
check "mt0: the program gone, no carrier" wait_until 20 carrier_is "$HOST" mt0 false
check "mt0: closing the last file deleted nothing" link_exists -n "$HOST" mt0

# --- macvtap_vm.py --------------------------------------------------------------------

# vm COMMAND...: one command to macvtap_vm.py; its answer in $VM_OUT.
coproc VMPY { exec ip netns exec "$HOST" python3 "$VNL_SELFTESTS/macvtap_vm.py" \
	2>"$TEST_TMP/vm.err"; }
track_bg "$VMPY_PID"
vm() {
	VM_OUT="(no answer: $(tail -n 3 "$TEST_TMP/vm.err" 2>/dev/null))"
	echo "$*" >&"${VMPY[1]}" && read -r -t 60 VM_OUT <&"${VMPY[0]}"
	[[ $VM_OUT == ok* ]]
}
# vm_is DESC ANSWER COMMAND...: the command's answer is exactly ANSWER.
vm_is() {
	local desc=$1 want=$2
	shift 2
	vm "$@"
	check_eq "$desc" "$want" "$VM_OUT"
}
# vm_attach DESC NAME FLAGS: a file attached to NAME; VM_FILE its number.
vm_attach() {
	VM_FILE=none
	vm attach "$2" "$3"
	check_match "$1" '^ok [0-9]+$' "$VM_OUT" || return 1
	VM_FILE=${VM_OUT#ok }
}
# vm_count N KEY: one count of file N (read, written, arp, echo, reply, udp).
vm_count() {
	vm counts "$1" || return 1
	[[ " ${VM_OUT#ok} " =~ \ $2\ ([0-9]+)\  ]] && echo "${BASH_REMATCH[1]}"
}
read -r -t 60 ready <&"${VMPY[0]}"
check_eq "macvtap_vm.py started" ready "${ready:-}" || { cat "$TEST_TMP/vm.err"; exit_status; }

# --- refusals, then one file: carrier ---------------------------------------------------

vm_is "TUNSETIFF mt0 with IFF_TUN: EINVAL" "err EINVAL" attach mt0 tun,no_pi
vm_is "... with IFF_MULTI_QUEUE, the face has one queue: EINVAL" "err EINVAL" \
	attach mt0 tap,no_pi,multi_queue
check "... neither attached: no carrier" carrier_is "$HOST" mt0 false
# IFF_NAPI means nothing to a face (it transmits what is written, there
# is no receive to poll): taken and dropped, as IFF_ONE_QUEUE, so that tun
# clients which always ask for it attach.
vm_attach "... with IFF_TAP | IFF_NAPI: attached, NAPI ignored" mt0 tap,no_pi,napi
napiq=$VM_FILE
check "... the face does not keep IFF_NAPI" json_true "$(vnlctl -n "$HOST" -j show mt0)" \
	'.[0].tun.flags != null and (.[0].tun.flags / 16 | floor) % 2 == 0'
vm close "$napiq"
check "... closed: no carrier again" wait_until 20 carrier_is "$HOST" mt0 false
vnlctl -n "$HOST" add macvlan pl0 parent eth0
vm_is "TUNSETIFF with a plain child's name: EINVAL" "err EINVAL" attach pl0 tap,no_pi
vnlctl -n "$HOST" del pl0
# A dummy's max_mtu is 0, "no limit": the face's child has it too, and a
# write()'s bound must not follow it (it once refused all but 14 bytes).
ip -n "$HOST" link add dm0 type dummy
vnlctl -n "$HOST" add macvlan dmt0 parent dm0 mode bridge tap
ip -n "$HOST" link set dmt0 up
vm_attach "a face on a dummy: attached" dmt0 tap,no_pi
vm_is "... it writes a frame of 1514 bytes" ok write "$VM_FILE" 1514
vm_is "... and one of 65535, a tap's largest" ok write "$VM_FILE" 65535
vm_is "... but not one of 65536" "err EINVAL" write "$VM_FILE" 65536
vm close "$VM_FILE"
ip -n "$HOST" link del dm0

vm_attach "TUNSETIFF mt0, IFF_TAP | IFF_NO_PI: attached" mt0 tap,no_pi
mt0q=$VM_FILE
vm serve "$mt0q" "$MT0_IP" "$MT0_MAC"
check "mt0: carrier with the file" wait_until 20 carrier_is "$HOST" mt0 true
check "mt0: its qdisc active" wait_until 20 oper_up "$HOST" mt0
vm_is "a second file on one queue: EBUSY, as for a tap" "err EBUSY" attach mt0 tap,no_pi
vm_is "TUNSETPERSIST 1: accepted (the face persists anyway)" ok ioctl "$mt0q" persist 1
vm_is "TUNSETPERSIST 0: EINVAL (it cannot stop to)" "err EINVAL" ioctl "$mt0q" persist 0
vm_is "TUNSETCARRIER: EINVAL (the parent and the files decide)" "err EINVAL" \
	ioctl "$mt0q" carrier 0
check "mt0: still its carrier" carrier_is "$HOST" mt0 true

# --- the modes: the wire, then a sibling -------------------------------------------------

vnlctl -n "$HOST" add macvlan s1 parent eth0 mode bridge netns "$SIB"
mv_ip "$SIB" s1 "$S1_IP/24"
check "s1: carrier" wait_until 20 has_flag "$SIB" s1 LOWER_UP
S1_MAC=$(mac_of "$SIB" s1)
LAN_MAC=$(mac_of "$LAN" eth1)

for mode in bridge vepa private; do
	vnlctl -n "$HOST" set mt0 mode "$mode"
	vnlctl -n "$SIB" set s1 mode "$mode"
	# The wire asks again, by broadcast, who has MT0_IP.
	ip -n "$LAN" neigh flush dev eth1
	arp=$(vm_count "$mt0q" arp) echoes=$(vm_count "$mt0q" echo)
	check "$mode: the wire pings $MT0_IP, the program answers" \
		vping "$LAN" "$MT0_IP" -c 2 -i 0.3
	check_ge "$mode: the wire's ARP request (a broadcast) read from the file" 1 \
		$(($(vm_count "$mt0q" arp) - arp))
	check_ge "$mode: its echo requests (unicast to mt0) read from the file" 2 \
		$(($(vm_count "$mt0q" echo) - echoes))

	wire=$(rx_packets "$LAN" eth1) sib=$(rx_packets "$SIB" s1)
	vm ping "$mt0q" "$S1_MAC" "$S1_IP" 3
	if [[ $mode == bridge ]]; then
		# Nothing on the wire sends a frame back: answered, the echoes
		# went to s1 directly, and s1's ARP for MT0_IP came to the file.
		check_eq "bridge: 3 echoes written to s1 reach it directly, and are answered" \
			"ok 3" "$VM_OUT"
	else
		check_eq "$mode: 3 echoes written to s1 are not answered" "ok 0" "$VM_OUT"
		check_ge "$mode: they went out on the wire instead" 3 \
			$(($(rx_packets "$LAN" eth1) - wire))
		check_eq "$mode: s1 received none of them" 0 $(($(rx_packets "$SIB" s1) - sib))
	fi
done
vm ping "$mt0q" "$LAN_MAC" "$LAN_IP" 2
check_eq "echoes written to the wire's address are answered" "ok 2" "$VM_OUT"

# --- multi-queue, owner and group --------------------------------------------------------

check "vnlctl add macvlan mq0 ... tap multi-queue" \
	vnlctl -n "$HOST" add macvlan mq0 parent eth0 mode bridge tap multi-queue
ip -n "$HOST" link set mq0 up
MQ0_MAC=$(mac_of "$HOST" mq0)
vm_is "TUNSETIFF mq0 without IFF_MULTI_QUEUE: EINVAL" "err EINVAL" attach mq0 tap,no_pi
vm_attach "mq0: a first queue" mq0 tap,no_pi,multi_queue
mq1=$VM_FILE
vm_attach "mq0: a second queue" mq0 tap,no_pi,multi_queue
mq2=$VM_FILE
vm serve "$mq1" "$MQ0_IP" "$MQ0_MAC"
vm serve "$mq2" "$MQ0_IP" "$MQ0_MAC"
check_match "vnlctl show mq0: two queues" $'\n    tap queues 2 multi-queue$' \
	"$(vnlctl -n "$HOST" show mq0)"
check "vnlctl -j show mq0: tap_face multi-queue, tun.queues 2" json_true \
	"$(vnlctl -n "$HOST" -j show mq0)" '.[0].tap_face.multi_queue and .[0].tun.queues == 2'
check "mq0: carrier and its qdisc" wait_until 20 oper_up "$HOST" mq0
check "the wire pings $MQ0_IP" vping "$LAN" "$MQ0_IP" -c 1
# 32 datagrams, each from a socket of its own: 32 source ports, 32 flows.
udp_total() {
	(($(vm_count "$mq1" udp) + $(vm_count "$mq2" udp) == $1))
}
ip netns exec "$LAN" bash -c \
	"for i in {1..32}; do echo x >/dev/udp/$MQ0_IP/9; done" 2>/dev/null
check "mq0: the 32 datagrams read" wait_until 20 udp_total 32
n1=$(vm_count "$mq1" udp) n2=$(vm_count "$mq2" udp)
check_ge "... some by the first queue ($n1)" 1 "$n1"
check_ge "... some by the second ($n2)" 1 "$n2"
vm ping "$mq1" "$LAN_MAC" "$LAN_IP" 1
check_eq "the first queue writes to the wire" "ok 1" "$VM_OUT"
vm ping "$mq2" "$LAN_MAC" "$LAN_IP" 1
check_eq "the second queue writes to the wire" "ok 1" "$VM_OUT"

vm_is "TUNSETOWNER 1000" ok ioctl "$mq1" owner 1000
check_match "vnlctl show mq0: owner 1000" ' owner 1000( \([^)]*\))?$' \
	"$(vnlctl -n "$HOST" show mq0)"
vm_is "uid 1000 attaches to mq0" ok as 1000 1000 mq0 tap,no_pi,multi_queue
vm_is "uid 1001 may not: EPERM" "err EPERM" as 1001 1001 mq0 tap,no_pi,multi_queue
vm_is "TUNSETGROUP 1002" ok ioctl "$mq1" group 1002
vm_is "uid 1000 outside group 1002 may not: EPERM" "err EPERM" \
	as 1000 1000 mq0 tap,no_pi,multi_queue
vm_is "uid 1000 of group 1002 may" ok as 1000 1002 mq0 tap,no_pi,multi_queue
check "vnlctl -j show mq0: owner 1000, group 1002, still 2 queues" json_true \
	"$(vnlctl -n "$HOST" -j show mq0)" '.[0].tun | .owner == 1000 and .group == 1002 and .queues == 2'

# --- counters and drops -----------------------------------------------------------------

# A permanent entry: the wire sends mt0 no ARP probe of its own while the
# counters are read, so that what mt0 transmits is what was written.
ip -n "$LAN" neigh replace "$MT0_IP" lladdr "$MT0_MAC" dev eth1 nud permanent
rx=$(vnl_stat "$HOST" mt0 rx_packets) tx=$(vnl_stat "$HOST" mt0 tx_packets)
iprx=$(rx_packets "$HOST" mt0)
read_n=$(vm_count "$mt0q" read) written=$(vm_count "$mt0q" written)
vm ping "$mt0q" "$LAN_MAC" "$LAN_IP" 5
check_eq "5 echoes written to the wire, 5 replies" "ok 5" "$VM_OUT"
read_n=$(($(vm_count "$mt0q" read) - read_n))
written=$(($(vm_count "$mt0q" written) - written))
check_eq "vnlctl stats mt0: tx moved by the $written frames written" "$written" \
	$(($(vnl_stat "$HOST" mt0 tx_packets) - tx))
check_ge "vnlctl stats mt0: rx by at least the $read_n frames read" "$read_n" \
	$(($(vnl_stat "$HOST" mt0 rx_packets) - rx))
check_ge "ip -s link: mt0's rx_packets too" "$read_n" $(($(rx_packets "$HOST" mt0) - iprx))
json=$(vnlctl -n "$HOST" -j stats mt0)
bad=$(json_get "$json" drops bad_write)
txd=$(json_get "$json" stats tx_drops) rxd=$(json_get "$json" stats rx_drops)
vm_is "a 10-byte write: EINVAL" "err EINVAL" write "$mt0q" 10
json2=$(vnlctl -n "$HOST" -j stats mt0)
check_eq "... counted as bad_write" 1 $(($(json_get "$json2" drops bad_write) - bad))
# Written frames are the child's transmit: so is a refused one.
check_eq "... a transmit drop of the child (tx_drops), not a receive drop" "1 0" \
	"$(($(json_get "$json2" stats tx_drops) - txd)) $(($(json_get "$json2" stats rx_drops) - rxd))"
check "mt0's drop reasons: a macvlan child's and a tap's" json_true "$json" \
	'.stats.drops | keys | contains(["no_reader", "queue_full", "unread", "bad_write",
					 "child_down", "mode", "parent", "too_big"])'

# --- lifetime ---------------------------------------------------------------------------

vm unwatch "$mt0q"
vm_is "a reader asleep in read() on mt0's file" ok blockread "$mt0q"
check "vnlctl del mt0" vnlctl -n "$HOST" del mt0
vm_is "... it wakes with EBADFD" "ok EBADFD" reaped 30
vm_is "... and the file, left without its child, writes EBADFD" "err EBADFD" \
	write "$mt0q" 60
check "mt0 is gone" link_absent -n "$HOST" mt0

ip -n "$HOST" link add d0 type dummy
ip -n "$HOST" link set d0 up
vnlctl -n "$HOST" add macvlan mp0 parent d0 tap
ip -n "$HOST" link set mp0 up
vm_attach "mp0, a face on a dummy: attached" mp0 tap,no_pi
mpq=$VM_FILE
vm unwatch "$mpq"
vm_is "a reader asleep in read() on mp0's file" ok blockread "$mpq"
check "ip link del d0, mp0's parent" ip -n "$HOST" link del d0
vm_is "... the reader wakes with EBADFD" "ok EBADFD" reaped 30
check "mp0 went with its parent" link_absent -n "$HOST" mp0

init_links=$(link_names)
check "vnlctl add macvlan mn0 ... tap netns VM" \
	vnlctl -n "$HOST" add macvlan mn0 parent eth0 mode bridge address "$MN0_MAC" tap netns "$VM"
ip -n "$VM" link set mn0 up
# /dev/vnl finds a name in its opener's netns, and the file holds it.
vm netns "$VM"
vm_attach "mn0, opened in its netns VM: attached" mn0 tap,no_pi
mnq=$VM_FILE
vm netns -
vm serve "$mnq" "$MN0_IP" "$MN0_MAC"
check "mn0: carrier and its qdisc" wait_until 20 oper_up "$VM" mn0
check "the wire pings $MN0_IP" vping "$LAN" "$MN0_IP" -c 1
cleanup_ns "$VM"
check "ip netns del VM: the file holds the netns, the wire still pings $MN0_IP" \
	vping "$LAN" "$MN0_IP" -c 1
vm close "$mnq"
check "the file closed: the netns goes, mn0 with it (its MAC free on eth0 again)" \
	wait_until 60 vnlctl -n "$HOST" add macvlan mn1 parent eth0 address "$MN0_MAC"
check_eq "... and nothing moved to the init netns" "$init_links" "$(link_names)"

exit_status
