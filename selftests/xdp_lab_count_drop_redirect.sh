#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lab: count, drop and redirect with XDP
# (Documentation/labs/xdp-count-drop-redirect.md).  The lab's commands in
# its order, and one check for each thing the page says the student sees:
# what ping says, what `bpftool map dump` prints, the counters of
# `ethtool -S`, and each frame's verdict in the vnl_xdp trace event.
#
#   step 1  va (here) 10.218.0.1 <-> vb (ns B) 10.218.0.2; lab_count on
#           va: b's ARP request passes, its pings are dropped, counted by
#           EtherType in the program's map; the guest's ping is answered
#   step 2  vc (here) <-> vd (ns C) 10.218.0.3; lab_redirect on va and vc,
#           its map sends what arrives on one out of the other: b pings c
#   step 3  vc's entry deleted: c's replies have nowhere to go (ABORTED)
#
# va and vc stay in the guest's own netns, as on the page: bpftool pins
# the program and its map in /sys/fs/bpf, which `ip netns exec` does not
# show (it mounts a /sys of the netns).  The test mounts bpffs there
# when nobody has, and unmounts it at the end.
#
# VNL_XDP_LAB_KIND=veth runs the same steps on the kernel's veth, the
# reference: its ethtool -S has other names (rx_queue_0_xdp_*), no
# separate count of ABORTED (one of its xdp_drops) and no vnl_xdp event,
# and a frame redirected into a veth needs NAPI on its peer (GRO on).
# A vnl.ko whose pair ends refuse native XDP (EOPNOTSUPP) skips the lab.

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd bpftool ethtool jq

KIND=${VNL_XDP_LAB_KIND:-vnl}
PROGS=$(cd "$(dirname "$0")/xdp" && pwd)
for o in lab_count lab_redirect; do
	[[ -r $PROGS/$o.bpf.o ]] ||
		{ echo "FAIL: no selftests/xdp/$o.bpf.o: run 'make -C selftests' on the host"; exit "$ksft_fail"; }
done
for d in va vb vc vd; do
	link_absent "$d" || { echo "FAIL: a device named $d is already here"; exit "$ksft_fail"; }
done

BPFFS=/sys/fs/bpf
_BPFFS_MOUNTED=
cleanup() {
	ip link del va 2>/dev/null
	ip link del vc 2>/dev/null
	rm -rf "$BPFFS/lab_redirect" "$BPFFS/lab"
	[[ -n $_BPFFS_MOUNTED ]] && umount "$BPFFS"
}
if [[ $(stat -f -c %T "$BPFFS" 2>/dev/null) != bpf_fs ]]; then
	mount -t bpf bpf "$BPFFS" || skip_test "cannot mount bpffs on $BPFFS"
	_BPFFS_MOUNTED=1
fi

# xdp_stat DEV WHAT: how many frames DEV's program gave verdict WHAT
# (pass, drop, aborted, redirect), or how many were redirected into DEV
# (xmit), from `ethtool -S DEV`.
xdp_stat() {
	local s
	s=$(ethtool -S "$1") || return 1
	if [[ $KIND == vnl ]]; then
		local key=xdp_$2
		[[ $2 == drop || $2 == aborted ]] && key=drop_xdp_$2
		sed -n "s/^ *$key: \([0-9]*\)$/\1/p" <<<"$s"
		return
	fi
	# veth: pass is what was neither dropped, redirected nor sent back.
	awk -v what="$2" '
		{ v[$1] = $2 }
		END {
			q = "rx_queue_0_xdp_"
			n = v[q what ":"]
			if (what == "pass")
				n = v[q "packets:"] - v[q "drops:"] - v[q "redirect:"] - v[q "tx:"]
			if (what == "drop" || what == "aborted")
				n = v[q "drops:"]
			if (what == "xmit")
				n = v["tx_queue_0_xdp_xmit:"]
			print n + 0
		}' <<<"$s"
}

# counted DESC DEV WHAT N: xdp_stat DEV WHAT moved by N since `mark`.
declare -A MARK
mark() {
	local d w
	for d in va vc; do
		link_exists "$d" || continue
		for w in pass drop aborted redirect xmit; do
			MARK[$d:$w]=$(xdp_stat "$d" "$w")
		done
	done
}
counted() {
	local now
	now=$(xdp_stat "$2" "$3")
	check_eq "$1" "$4" "$((now - ${MARK[$2:$3]:-0}))"
}

# The vnl_xdp events since the last trace_clear, one a line:
# "DEV LEN PROTO ACT" (veth has none: nothing is checked there).
verdicts() {
	trace_events | sed -n 's/^vnl_xdp: dev=\([^ ]*\) .*len=\([0-9]*\) proto=\(0x[0-9a-f]*\) act=\([A-Z]*\).*$/\1 \2 \3 \4/p'
}
check_verdicts() {
	[[ $KIND == vnl ]] || return 0
	check_eq "$1" "$2" "$(verdicts | paste -sd,)"
	trace_clear
}
clear_verdicts() {
	[[ $KIND == vnl ]] && trace_clear
	return 0
}

# le32 N: N as the four bytes of a little-endian 32-bit number, as
# `bpftool map update` takes a key or a value.
le32() {
	printf '%d %d %d %d' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# hex32 N: N as bpftool prints a 32-bit key or value of a map without
# BTF, "02 00 00 00" for 2.
hex32() {
	printf '%02x %02x %02x %02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

# map_dump ARGS...: `bpftool -j map dump ARGS` as the entries that plain
# `bpftool map dump` prints, from the map's BTF: {"key":...,"value":...}.
map_dump() {
	bpftool -j map dump "$@" | jq -c 'map(.formatted // .)'
}

# map_count ID KEY FIELD: FIELD (packets or bytes) of KEY in map ID.
map_count() {
	map_dump id "$1" | jq -r --argjson k "$2" --arg f "$3" '.[] | select(.key == $k) | .value[$f]'
}

setup_ns B C
no_ipv6 "$B" "$C"

echo "# Step 1: count and drop on va"
if [[ $KIND == vnl ]]; then
	check "vnlctl add pair va peer vb peer-netns b" vnlctl add pair va peer vb peer-netns "$B" ||
		exit_status
else
	check "ip link add va type veth peer name vb netns b" \
		ip link add va type veth peer name vb netns "$B" || exit_status
fi
ip addr add 10.218.0.1/24 dev va
ip link set va up
ip -n "$B" addr add 10.218.0.2/24 dev vb
ip -n "$B" link set vb up
check "va up, with carrier" wait_until 20 oper_up "" va
check "vb up" wait_until 20 oper_up "$B" vb
check "ping -c 1 10.218.0.2 from b: the pair works" vping "$B" 10.218.0.1 -c 1 -W 5
ip neigh flush dev va
ip -n "$B" neigh flush dev vb
# One ARP request, however slow the guest: no retransmission to count.
ip netns exec "$B" sysctl -qw net.ipv4.neigh.vb.retrans_time_ms=10000

err=$(ip link set dev va xdpdrv obj "$PROGS/lab_count.bpf.o" sec xdp 2>&1)
rc=$?
if ((rc)) && [[ $KIND == vnl && $err == *"not support"* ]]; then
	skip_test "vnl pair ends have no native XDP in this vnl.ko (ip link set dev va xdpdrv: $err)"
fi
check_eq "ip link set dev va xdpdrv obj lab_count.bpf.o sec xdp" "0" "$rc${err:+: $err}" ||
	exit_status
[[ $KIND == vnl ]] && trace_open vnl_xdp
link=$(ip -j link show dev va)
check_eq "ip link show dev va: an XDP program in native mode (xdp)" 1 \
	"$(jq -r '.[0].xdp.mode' <<<"$link")"
prog=$(jq -r '.[0].xdp.prog.id' <<<"$link")
check_match "ip link show dev va: prog/xdp id N" '^[0-9]+$' "$prog"
map=$(bpftool -j prog show id "$prog" | jq -r '.map_ids[0]')
check_eq "bpftool prog show id N: the program lab_count, one map" "lab_count 1" \
	"$(bpftool -j prog show id "$prog" | jq -r '"\(.name) \(.map_ids | length)"')"
check_eq "bpftool map show id M: the hash map counts" "counts hash" \
	"$(bpftool -j map show id "$map" | jq -r '"\(.name) \(.type)"')"
check_eq "bpftool map dump id M: empty before any frame" "[]" \
	"$(map_dump id "$map")"

mark
clear_verdicts
check_not "ping -c 3 10.218.0.1 from b: no answer" \
	vping "$B" 10.218.0.1 -c 3 -i 0.2 -W 1
check_eq "counts: ARP (2054), 1 frame of 42 bytes" "1 42" \
	"$(map_count "$map" 2054 packets) $(map_count "$map" 2054 bytes)"
check_eq "counts: IPv4 (2048), 3 frames of 98 bytes" "3 294" \
	"$(map_count "$map" 2048 packets) $(map_count "$map" 2048 bytes)"
counted "ethtool -S va: 1 passed (the ARP request)" va pass 1
counted "ethtool -S va: 3 dropped (the echo requests)" va drop 3
check_verdicts "vnl_xdp on va: ARP PASS, then 3 echo requests DROP" \
	"va 42 0x0806 PASS,va 98 0x0800 DROP,va 98 0x0800 DROP,va 98 0x0800 DROP"
if [[ $KIND == vnl ]]; then
	check_match "vnlctl stats va: drops: xdp_drop 3" "drops:.* xdp_drop 3( |\$)" \
		"$(vnlctl stats va)"
	check_eq "ip -s link show dev va: 3 dropped" 3 \
		"$(ip -j -s link show dev va | jq -r '.[0].stats64.rx.dropped')"
fi

mark
check "ping -c 1 10.218.0.2 from here: answered (the reply passes)" \
	"${PING[@]}" -q -c 1 -W 5 10.218.0.2
ip neigh flush dev va
check_eq "counts: IPv4, 4 frames now" 4 "$(map_count "$map" 2048 packets)"
counted "ethtool -S va: 1 more passed (the echo reply)" va pass 1
counted "ethtool -S va: no more dropped" va drop 0
check_verdicts "vnl_xdp on va: the echo reply PASS" "va 98 0x0800 PASS"

check "ip link set dev va xdpdrv off" ip link set dev va xdpdrv off
check_eq "ip link show dev va: no program" null "$(ip -j link show dev va | jq -c '.[0].xdp')"
map_gone() {
	! bpftool map show id "$map"
}
check "the program and its map are gone with it" wait_until 10 map_gone

echo "# Step 2: redirect between two pairs"
if [[ $KIND == vnl ]]; then
	check "vnlctl add pair vc peer vd peer-netns c" vnlctl add pair vc peer vd peer-netns "$C" ||
		exit_status
else
	ip link add vc type veth peer name vd netns "$C" || exit_status
	# A frame redirected into a veth goes to its peer's NAPI ring,
	# which only a program or GRO there makes.
	ip netns exec "$B" ethtool -K vb gro on
	ip netns exec "$C" ethtool -K vd gro on
fi
ip link set vc up
ip -n "$C" addr add 10.218.0.3/24 dev vd
ip -n "$C" link set vd up
check "vc up, with carrier" wait_until 20 oper_up "" vc
check "vd up" wait_until 20 oper_up "$C" vd
check_not "ping -c 1 10.218.0.3 from b: no way there yet" vping "$B" 10.218.0.3 -c 1 -W 1
ip -n "$B" neigh flush dev vb
ip netns exec "$C" sysctl -qw net.ipv4.neigh.vd.retrans_time_ms=10000

check "bpftool prog load lab_redirect.bpf.o /sys/fs/bpf/lab_redirect pinmaps /sys/fs/bpf/lab" \
	bpftool prog load "$PROGS/lab_redirect.bpf.o" "$BPFFS/lab_redirect" pinmaps "$BPFFS/lab" ||
	exit_status
check "bpftool net attach xdpdrv pinned /sys/fs/bpf/lab_redirect dev va" \
	bpftool net attach xdpdrv pinned "$BPFFS/lab_redirect" dev va
check "bpftool net attach xdpdrv pinned /sys/fs/bpf/lab_redirect dev vc" \
	bpftool net attach xdpdrv pinned "$BPFFS/lab_redirect" dev vc
va=$(</sys/class/net/va/ifindex)
vc=$(</sys/class/net/vc/ifindex)
# shellcheck disable=SC2046 # le32's four words are four arguments
check "bpftool map update pinned /sys/fs/bpf/lab/ports key \$(le32 \$va) value \$(le32 \$vc)" \
	bpftool map update pinned "$BPFFS/lab/ports" key $(le32 "$va") value $(le32 "$vc")
# shellcheck disable=SC2046
check "bpftool map update pinned /sys/fs/bpf/lab/ports key \$(le32 \$vc) value \$(le32 \$va)" \
	bpftool map update pinned "$BPFFS/lab/ports" key $(le32 "$vc") value $(le32 "$va")
# A device map has no BTF: bpftool prints its keys and values as bytes.
check_eq "bpftool map dump pinned /sys/fs/bpf/lab/ports: va to vc, vc to va" \
	"$(printf 'key: %s  value: %s\n' "$(hex32 "$va")" "$(hex32 "$vc")" \
		"$(hex32 "$vc")" "$(hex32 "$va")" | sort | paste -sd'|')" \
	"$(bpftool map dump pinned "$BPFFS/lab/ports" | grep '^key: ' | sed 's/ *$//' | sort | paste -sd'|')"
redirect=$(bpftool -j prog show pinned "$BPFFS/lab_redirect" | jq -r .id)
check_eq "bpftool net show: the one program lab_redirect on va and vc, in driver mode" \
	"va:driver:$redirect vc:driver:$redirect" \
	"$(bpftool -j net show | jq -r '.[0].xdp[] | select(.devname == "va" or .devname == "vc") | "\(.devname):\(.mode):\(.id)"' | sort | paste -sd' ')"

mark
clear_verdicts
check "ping -c 3 10.218.0.3 from b: answered by c, through va and vc" \
	vping "$B" 10.218.0.3 -c 3 -i 0.2 -W 5
ip -n "$C" neigh flush dev vd
counted "ethtool -S va: 4 redirected (b's ARP request, 3 echo requests)" va redirect 4
counted "ethtool -S vc: 4 redirected into vc, to vd" vc xmit 4
counted "ethtool -S vc: 4 redirected (c's ARP reply, 3 echo replies)" vc redirect 4
counted "ethtool -S va: 4 redirected into va, to vb" va xmit 4
counted "ethtool -S va: none passed to the guest's stack" va pass 0
counted "ethtool -S vc: none passed to the guest's stack" vc pass 0
check_verdicts "vnl_xdp: the ARP exchange, then each echo request on va and reply on vc, REDIRECT" \
	"va 42 0x0806 REDIRECT,vc 42 0x0806 REDIRECT$(printf ',va 98 0x0800 REDIRECT,vc 98 0x0800 REDIRECT%.0s' 1 2 3)"

echo "# Step 3: a redirect with nowhere to go"
mac_vb=$(ip -n "$B" -j link show dev vb | jq -r '.[0].address')
mac_vd=$(ip -n "$C" -j link show dev vd | jq -r '.[0].address')
ip -n "$B" neigh replace 10.218.0.3 lladdr "$mac_vd" dev vb nud permanent
ip -n "$C" neigh replace 10.218.0.2 lladdr "$mac_vb" dev vd nud permanent
# shellcheck disable=SC2046
check "bpftool map delete pinned /sys/fs/bpf/lab/ports key \$(le32 \$vc)" \
	bpftool map delete pinned "$BPFFS/lab/ports" key $(le32 "$vc")
mark
clear_verdicts
[[ $KIND == vnl ]] && echo 1 >"$TRACE_INST/events/xdp/xdp_exception/enable"
check_not "ping -c 3 10.218.0.3 from b: no answer" vping "$B" 10.218.0.3 -c 3 -i 0.2 -W 1
counted "ethtool -S va: 3 redirected (the echo requests)" va redirect 3
counted "ethtool -S vc: 3 redirected into vc" vc xmit 3
counted "ethtool -S vc: 3 aborted (the echo replies)" vc aborted 3
counted "ethtool -S va: none redirected into va" va xmit 0
if [[ $KIND == vnl ]]; then
	check_eq "xdp:xdp_exception: 3 times ABORTED on vc" 3 \
		"$(grep -c "xdp_exception: prog_id=$redirect action=ABORTED ifindex=$vc\$" "$TRACE_INST/trace")"
fi
check_verdicts "vnl_xdp: each echo request REDIRECT on va, its reply ABORTED on vc" \
	"$(printf 'va 98 0x0800 REDIRECT,vc 98 0x0800 ABORTED,%.0s' 1 2 3 | sed 's/,$//')"

echo "# Clean up"
check "bpftool net detach xdpdrv dev va" bpftool net detach xdpdrv dev va
check "bpftool net detach xdpdrv dev vc" bpftool net detach xdpdrv dev vc
check "rm /sys/fs/bpf/lab_redirect; rm -r /sys/fs/bpf/lab" rm -r "$BPFFS/lab_redirect" "$BPFFS/lab"
check_eq "bpftool net show: no program on va or vc" "" \
	"$(bpftool -j net show | jq -r '.[0].xdp[] | select(.devname == "va" or .devname == "vc") | .devname')"

exit_status
