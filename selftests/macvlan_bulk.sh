#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A thousand vnl macvlan children on one parent, all in one netns N, each
# with its own MAC and address: `vnlctl show` and `ip link` list each
# exactly once, all on the parent, all with carrier; a sample of at least
# 100 spread over the set each ping the outside through their own child
# (ping -I: the echo leaves by that child and the reply must come back to
# it, so the parent's unicast demultiplexing picked the right one among
# the thousand).  Then the parent is deleted while flood pings run, from
# children and a broadcast flood from the outside into every child (they
# must be seen flowing first: the pinging children's rx and tx counters
# move, and so does the rx counter of a child that only hears the
# broadcasts): no vnl device is left anywhere, and vnlctl show is empty.
#
#   ns N: c0..c<COUNT-1>, 10.83.<i/250>.<i%250+1>/16 (arp_ignore=1)
#   parent p0 (ns HOST) <-veth-> o0 -- br0 10.83.255.254/16 (ns OUT)
#
# VNL_MACVLAN_BULK sets COUNT (default 1000; 100 on the debug kernel,
# where each frame through KASAN and lockdep costs several times more:
# 100 pings took 391 s there on a busy host); VNL_MACVLAN_BULK_SAMPLE the
# number pinged (default 100, 30 on the debug kernel; all if fewer).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/macvlan_lib.sh"

require_vnl
require_ping
require_cmd jq

if [[ ${VNL_KERNEL:-} == debug ]]; then
	COUNT=${VNL_MACVLAN_BULK:-100}
	SAMPLE=${VNL_MACVLAN_BULK_SAMPLE:-30}
else
	COUNT=${VNL_MACVLAN_BULK:-1000}
	SAMPLE=${VNL_MACVLAN_BULK_SAMPLE:-100}
fi
((SAMPLE > COUNT)) && SAMPLE=$COUNT
OUT_IP=10.83.255.254

ip_of() { echo "10.83.$(($1 / 250)).$(($1 % 250 + 1))"; }

setup_ns HOST OUT N
no_ipv6 "$HOST" "$OUT" "$N"
# Each child answers ARP for its own address only, and speaks with it.
ip netns exec "$N" sysctl -q -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
	net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.default.arp_announce=2 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
mv_wire "$HOST" "$OUT" off || { echo "FAIL: cannot build the wire"; exit 1; }
ip -n "$OUT" addr add "$OUT_IP/16" dev br0
init_links=$(link_names)
p0_index=$(ip -n "$HOST" -o link show dev p0 | cut -d: -f1)

for ((i = 0; i < COUNT; i++)); do
	echo "add macvlan c$i parent p0 netns $N"
done >"$TEST_TMP/add"
start=$SECONDS
check "vnlctl -n HOST -batch: $COUNT children of p0, made in N" \
	vnlctl -n "$HOST" -batch "$TEST_TMP/add" || exit_status
echo "INFO: $COUNT children made in $((SECONDS - start)) s"

vnlctl -n "$N" -j show >"$TEST_TMP/n.json"
check_eq "vnlctl show in N: $COUNT devices, each ifindex, name and MAC once" \
	"$COUNT $COUNT $COUNT $COUNT" \
	"$(jq -r '"\(length) \(map(.ifindex) | unique | length) \(map(.ifname) | unique | length) \(map(.address) | unique | length)"' \
		"$TEST_TMP/n.json")"
check_eq "vnlctl show in N: exactly c0..c$((COUNT - 1))" true \
	"$(jq --argjson n "$COUNT" '(map(.ifname) | sort) == ([range(0; $n) | "c\(.)"] | sort)' "$TEST_TMP/n.json")"
check_eq "vnlctl show in N: all macvlan children of p0 (ifindex $p0_index, another netns), in vepa mode" true \
	"$(jq --argjson p "$p0_index" 'all(.[]; .kind == "macvlan" and .parent == "p0" and .parent_ifindex == $p and .parent_netnsid != null and .mode == "vepa")' \
		"$TEST_TMP/n.json")"
mapfile -t links <<<"$(link_names "$N")"
check_eq "ip link in N: lo and the $COUNT children" $((COUNT + 1)) "${#links[@]}"
check_eq "vnlctl show in HOST lists none of them" 0 "$(vnl_count "$HOST")"

for ((i = 0; i < COUNT; i++)); do
	echo "addr add $(ip_of "$i")/16 dev c$i"
	echo "link set c$i up"
done >"$TEST_TMP/ip"
check "ip -batch: an address on each child, each up" ip -n "$N" -batch "$TEST_TMP/ip"
lower_up_count() { ip -n "$N" -o link show | grep -c 'LOWER_UP'; }
all_up() { (($(lower_up_count) == COUNT + 1)); }
check "every child has carrier" wait_until 60 all_up

# The sample: SAMPLE children spread evenly over the set, first and last
# included.
sample=()
for ((k = 0; k < SAMPLE; k++)); do
	if ((SAMPLE > 1)); then
		sample+=($((k * (COUNT - 1) / (SAMPLE - 1))))
	else
		sample+=(0)
	fi
done
# The children's MACs, from one ip call.
declare -A MAC
while read -r _ name rest; do
	name=${name%:}
	name=${name%%@*}
	[[ $rest =~ link/ether\ ([0-9a-f:]{17}) ]] && MAC[$name]=${BASH_REMATCH[1]}
done <<<"$(ip -n "$N" -o link show)"

# Ten at a time, two tries each (the first may wait for ARP); then the
# outside's neighbour entry of each of the ten must name that child's own
# MAC (it learnt it from the child's ARP request).
ping_through() {
	vping "$N" "$OUT_IP" -c 1 -I "c$1" || vping "$N" "$OUT_IP" -c 1 -I "c$1"
}
start=$SECONDS
failed=()
wrong=()
for ((k = 0; k < SAMPLE; k += 10)); do
	pids=()
	for i in "${sample[@]:k:10}"; do
		ping_through "$i" &
		pids+=("$!:$i")
	done
	for p in "${pids[@]}"; do
		wait "${p%%:*}" || failed+=("c${p#*:}")
	done
	neigh=$(ip -n "$OUT" neigh show dev br0)
	for i in "${sample[@]:k:10}"; do
		[[ $neigh == *"$(ip_of "$i") lladdr ${MAC[c$i]} "* ]] || wrong+=("c$i ${MAC[c$i]}")
	done
done
echo "INFO: $SAMPLE pings in $((SECONDS - start)) s"
check_eq "each of $SAMPLE children (c${sample[0]}..c${sample[-1]}) pings the outside through itself" \
	"" "${failed[*]}"
check_eq "the outside's neighbour entry of each names that child's own MAC" 0 "${#wrong[@]}" ||
	printf '    %s\n' "${wrong[@]:0:5}" "outside's entries: $(head -n 5 <<<"$neigh" | tr '\n' ';')"

# --- delete the parent under traffic ---------------------------------------------------------

# stats NAME: "rx_packets tx_packets" of child NAME in N.
stats() {
	local out
	out=$(vnlctl -n "$N" -j stats "$1") || return 1
	echo "$(json_get "$out" stats rx_packets) $(json_get "$out" stats tx_packets)"
}
flooders=(0 $((COUNT / 2)) $((COUNT - 1)))
# c1 pings nothing: what it receives is the broadcast flood.
declare -A ST0
for i in "${flooders[@]}" 1; do
	ST0[$i]=$(stats "c$i")
done
for i in "${flooders[@]}"; do
	ip netns exec "$N" "${PING[@]}" -q "${FLOOD[@]}" -I "c$i" "$OUT_IP" >/dev/null 2>&1 &
	track_bg $!
done
ip netns exec "$OUT" "${PING[@]}" -q "${FLOOD[@]}" -b 10.83.255.255 >/dev/null 2>&1 &
track_bg $!
nap 3
# flowing: each flooding child sent echo requests and got replies back,
# and c1 received broadcasts: MOVED frames or more each way, well above
# what ARP alone would count.
MOVED=20
flowing() {
	local i rx0 tx0 rx tx
	for i in "${flooders[@]}"; do
		read -r rx0 tx0 <<<"${ST0[$i]}"
		read -r rx tx <<<"$(stats "c$i")"
		((rx >= rx0 + MOVED && tx >= tx0 + MOVED)) || { nap 0.5; return 1; }
	done
	read -r rx0 _ <<<"${ST0[1]}"
	read -r rx _ <<<"$(stats c1)"
	((rx >= rx0 + MOVED)) || { nap 0.5; return 1; }
}
check "the floods flow: c${flooders[0]}, c${flooders[1]}, c${flooders[2]} send and hear $MOVED+ echoes, c1 $MOVED+ broadcasts" \
	wait_until 60 flowing
bc=$(vnl_field "$N" c1 bc_drops)
check_match "under a broadcast flood, bc_drops is a number ($bc)" '^[0-9]+$' "$bc"
start=$SECONDS
check "ip link del p0 under traffic" ip -n "$HOST" link del p0
only_lo() { [[ $(link_names "$1") == lo ]]; }
check "every child is gone from N" wait_until 120 only_lo "$N"
echo "INFO: the children went in $((SECONDS - start)) s"
check_eq "vnlctl show lists nothing in N, HOST, OUT and the init netns" "0 0 0 0" \
	"$(vnl_count "$N") $(vnl_count "$HOST") $(vnl_count "$OUT") $(vnl_count)"
check "HOST has only lo" only_lo "$HOST"
check_eq "nothing moved to the init netns" "$init_links" "$(link_names)"

exit_status
