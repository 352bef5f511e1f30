# SPDX-License-Identifier: GPL-2.0
#
# What the macvlan_*.sh selftests share, sourced after lib.sh: the
# parent's topology and the making of children, with vnl (`vnlctl add
# macvlan`) or with the kernel's macvlan (`ip link add ... type macvlan`),
# so that a test can run the same experiment on both and compare.
#
# The usual topology: a kernel veth whose end p0 (the parent) lives in a
# netns HOST and whose other end o0 lives in a netns OUT, the "wire" and the
# "external switch": o0 is a port of a kernel bridge br0 in OUT, which holds
# the outside's address and can hairpin (send a frame back out of the port
# it came in by, which is what makes VEPA children reach each other).

require_cmd bridge

# mv_has_kernel_macvlan: the guest's kernel makes macvlan devices.
# The implementations a comparison test runs (IMPLS): VNL_MACVLAN_IMPLS, or
# vnl and the kernel's macvlan.  On the debug kernel only vnl: the debug
# kernel is there to catch vnl's splats, leaks and races, and the
# kernel's macvlan gives the same answers there as on the stock kernels,
# where the comparison runs.  The same in make check's core tier
# (VNL_TIER=core, tools/check), whose kernels run the full suite, and with
# it the comparison, in make check-all.  COMPARED says whether both run.
mv_impls() {
	if [[ -n ${VNL_MACVLAN_IMPLS:-} ]]; then
		read -ra IMPLS <<<"$VNL_MACVLAN_IMPLS"
	elif [[ ${VNL_KERNEL:-} == debug ]]; then
		IMPLS=(vnl)
		echo "INFO: debug kernel: vnl only; the comparison with kernel macvlan runs on the stock kernels"
	elif [[ ${VNL_TIER:-} == core ]]; then
		IMPLS=(vnl)
		echo "INFO: make check's core tier: vnl only; the comparison with kernel macvlan runs in the full tier"
	else
		IMPLS=(kernel vnl)
	fi
	COMPARED=
	[[ " ${IMPLS[*]} " == *" kernel "* && " ${IMPLS[*]} " == *" vnl "* ]] && COMPARED=1
	return 0
}

mv_has_kernel_macvlan() {
	local ns ok=1
	ns="ns-mvprobe-$$-$RANDOM"
	ip netns add "$ns" || return 1
	ip -n "$ns" link add d0 type dummy 2>/dev/null &&
		ip -n "$ns" link add link d0 name mvprobe type macvlan 2>/dev/null && ok=0
	ip netns del "$ns"
	return $ok
}

# mv_wire HOST OUT [HAIRPIN]: p0 in HOST (up, no address) <-> o0 in OUT, a
# port of bridge br0 (up, hairpin HAIRPIN: on or off, default off).
mv_wire() {
	local host=$1 out=$2 hairpin=${3:-off}
	ip -n "$host" link add p0 type veth peer name o0 netns "$out" || return 1
	ip -n "$out" link add br0 type bridge forward_delay 0 stp_state 0 || return 1
	ip -n "$out" link set o0 master br0 || return 1
	ip -n "$out" link set o0 up
	ip -n "$out" link set br0 up
	ip -n "$host" link set p0 up
	bridge -n "$out" link set dev o0 hairpin "$hairpin" || return 1
}

# mv_add IMPL HOST PARENT NAME MODE [NETNS]: a child NAME of PARENT (in
# HOST) in mode MODE ("" for the default), living in NETNS (default HOST).
# IMPL is vnl or kernel.
mv_add() {
	local impl=$1 host=$2 parent=$3 name=$4 mode=$5 ns=${6:-$2} m=()
	[[ -n $mode ]] && m=(mode "$mode")
	case $impl in
	vnl)
		if [[ $ns == "$host" ]]; then
			vnlctl -n "$host" add macvlan "$name" parent "$parent" "${m[@]}"
		else
			vnlctl -n "$host" add macvlan "$name" parent "$parent" "${m[@]}" netns "$ns"
		fi
		;;
	kernel)
		ip -n "$host" link add link "$parent" name "$name" type macvlan "${m[@]}" || return 1
		[[ $ns == "$host" ]] || ip -n "$host" link set "$name" netns "$ns"
		;;
	*) return 2 ;;
	esac
}

# mv_macaddr IMPL NS NAME OP [MAC...]: the source list of a source-mode
# child (OP add, del, flush, set).
mv_macaddr() {
	local impl=$1 ns=$2 name=$3 op=$4 mac
	shift 4
	case $impl in
	vnl) vnlctl -n "$ns" macaddr "$name" "$op" "$@" ;;
	kernel)
		case $op in
		flush) ip -n "$ns" link set "$name" type macvlan macaddr flush ;;
		set) ip -n "$ns" link set "$name" type macvlan macaddr set "$@" ;;
		*)
			for mac in "$@"; do
				ip -n "$ns" link set "$name" type macvlan macaddr "$op" "$mac" || return 1
			done
			;;
		esac
		;;
	*) return 2 ;;
	esac
}

# mv_mode IMPL NS NAME: the child's mode as the implementation reports it.
mv_mode() {
	local out
	case $1 in
	vnl) vnl_field "$2" "$3" mode ;;
	kernel)
		out=$(ip -n "$2" -d -j link show dev "$3") || return 1
		[[ $out =~ \"info_data\":\{[^{}]*\"mode\":\"([a-z]+)\" ]] || return 1
		echo "${BASH_REMATCH[1]}"
		;;
	esac
}

# mv_ip NS DEV ADDR/LEN: the address on DEV, DEV up.
mv_ip() {
	ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up
}

# The MAC address of a device.
mac_of() {
	local nsopt=() line
	[[ -n $1 ]] && nsopt=(-n "$1")
	line=$(ip "${nsopt[@]}" -o link show dev "$2") || return 1
	[[ $line =~ link/ether\ ([0-9a-f:]{17}) ]] && echo "${BASH_REMATCH[1]}"
}

# The MTU of a device.
mtu_of() {
	local nsopt=() line
	[[ -n $1 ]] && nsopt=(-n "$1")
	line=$(ip "${nsopt[@]}" -o link show dev "$2") || return 1
	[[ $line =~ \ mtu\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# promiscuity NS DEV: the device's promiscuity count (what the kernel's
# users, like a passthru child, asked for; `ip link` flags show only the
# PROMISC asked for by userspace).
promiscuity() {
	local out
	out=$(ip -n "$1" -d -j link show dev "$2") || return 1
	[[ $out =~ \"promiscuity\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# yes when COMMAND succeeds, no otherwise.
yes_no() { "$@" >/dev/null 2>&1 && echo yes || echo no; }

# reach NS ADDR: yes or no, a ping of three echoes (one answer is enough),
# waiting at most a second for the last.
reach() {
	yes_no ip netns exec "$1" "${PING[@]}" -q -c 3 -i 0.2 -W 1 "$2"
}

# The number of vnl devices of a netns ("" for the caller's).
vnl_count() {
	local nsopt=() out
	[[ -n ${1:-} ]] && nsopt=(-n "$1")
	out=$(vnlctl "${nsopt[@]}" -j show) || return 1
	jq length <<<"$out"
}

# rx_packets NS DEV: the received frames of DEV, as ip -s link counts them.
rx_packets() {
	local out
	out=$(ip -n "$1" -s -j link show dev "$2") || return 1
	[[ $out =~ \"rx\":(\{[^{}]*\}) ]] || return 1
	json_get "${BASH_REMATCH[1]}" packets
}
