#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ip link add NAME type vnl ...`: the link kind "vnl" creates pairs and
# macvlan children through rtnetlink (kmod/rtnl.c), with ip's own words
# and tools/iplink's plugin (IP_LIB_DIR, set by the VM runner).
#
#   - a pair whose peer is in another netns (`peer b0 netns B`), pinged
#     across; a peer with its own address, MTU and `up`, as asked;
#     `ip link del` of either end deletes both;
#   - macvlan children on a veth parent, in every mode, `ip -d link show`
#     naming kind, mode and bcqueuelen; vepa when no mode is given; a
#     child put in another netns; a bridge-mode child pinged from the wire;
#   - what is refused: each case says why, in the message ip prints, and
#     leaves no device behind (A and B hold what they held), a failure
#     to register this end after the peer included.

source "$(dirname "$0")/lib.sh"

require_vnl
require_ping
require_cmd ip python3
[[ -r ${IP_LIB_DIR:-}/link_vnl.so ]] ||
	skip_test "needs tools/iplink's plugin in IP_LIB_DIR (tools/vm/run sets it)"

setup_ns A B W

# --- a pair --------------------------------------------------------------------------

check "ip link add a0 type vnl kind pair peer b0 netns B" \
	ip -n "$A" link add a0 type vnl kind pair peer b0 netns "$B"
check_match "ip -d link show a0: vnl kind pair" 'vnl kind pair' \
	"$(ip -n "$A" -d link show a0)"
check "b0 is in B" link_exists -n "$B" b0
check_match "vnlctl show a0: its peer is b0" 'b0' "$(vnlctl -n "$A" show a0)"

ip -n "$A" addr add 10.77.0.1/24 dev a0
ip -n "$B" addr add 10.77.0.2/24 dev b0
ip -n "$A" link set a0 up
ip -n "$B" link set b0 up
check "ping from A to b0 across the pair" wait_until 30 vping "$A" 10.77.0.2 -c 1

check "ip link add a1 address MAC type vnl kind pair peer b1 address MAC mtu 1400 up" \
	ip -n "$A" link add a1 address 02:00:5e:00:77:01 type vnl kind pair \
	peer b1 address 02:00:5e:00:77:02 mtu 1400 up
check_match "a1: the address asked" 'link/ether 02:00:5e:00:77:01 ' \
	"$(ip -n "$A" -o link show a1)"
check_match "b1: the address asked" 'link/ether 02:00:5e:00:77:02 ' \
	"$(ip -n "$A" -o link show b1)"
check_match "b1: mtu 1400" ' mtu 1400 ' "$(ip -n "$A" -o link show b1)"
check "b1: up, as asked" has_flag "$A" b1 UP
check "a1: down, as not asked" lacks_flag "$A" a1 UP
check_match "ip link shows a1@b1" '^[0-9]+: a1@b1: ' "$(ip -n "$A" -o link show a1)"

check "ip link del b0 (the peer, in B)" ip -n "$B" link del b0
check "... a0 is gone from A" link_absent -n "$A" a0
check "... b0 is gone from B" link_absent -n "$B" b0
check "ip link del a1" ip -n "$A" link del a1
check "... b1 is gone" link_absent -n "$A" b1

# --- macvlan children ----------------------------------------------------------------

ip -n "$A" link add p0 type veth peer name w0 netns "$W" ||
	skip_test "no veth in this kernel"
ip -n "$A" link set p0 up
ip -n "$W" link set w0 up

for mode in private vepa bridge source; do
	check "ip link add m-$mode link p0 type vnl kind macvlan mode $mode" \
		ip -n "$A" link add "m-$mode" link p0 type vnl kind macvlan mode "$mode"
	check_match "ip -d link show m-$mode: kind macvlan mode $mode bcqueuelen 1000" \
		"vnl kind macvlan mode $mode bcqueuelen 1000 " \
		"$(ip -n "$A" -d link show "m-$mode")"
done
check "ip link add mv link p0 type vnl kind macvlan (no mode)" \
	ip -n "$A" link add mv link p0 type vnl kind macvlan
check_match "ip -d link show mv: mode vepa, macvlan's default" 'vnl kind macvlan mode vepa ' \
	"$(ip -n "$A" -d link show mv)"
check "ip link add mq link p0 type vnl kind macvlan mode bridge bcqueuelen 5000" \
	ip -n "$A" link add mq link p0 type vnl kind macvlan mode bridge bcqueuelen 5000
check_match "ip -d link show mq: bcqueuelen 5000, its parent's queue too" \
	'mode bridge bcqueuelen 5000 bcqueuelen_used 5000' "$(ip -n "$A" -d link show mq)"
check "ip link add mt link p0 type vnl kind macvlan mode bridge tap multi-queue" \
	ip -n "$A" link add mt link p0 type vnl kind macvlan mode bridge tap multi-queue
check_match "ip -d link show mt: its tap face, multi-queue" \
	'vnl kind macvlan mode bridge bcqueuelen 1000 bcqueuelen_used [0-9]+ tap multi-queue ' \
	"$(ip -n "$A" -d link show mt)"
ip -n "$A" link set mt up
# ip shows NO-CARRIER from the operational state, which linkwatch sets a
# moment after the device came up (UNKNOWN until then).
mt_no_carrier() {
	[[ $(ip -n "$A" link show mt) == *NO-CARRIER* ]]
}
wait_until 10 mt_no_carrier
check_match "ip link show mt, up: no carrier without a file" 'NO-CARRIER' \
	"$(ip -n "$A" link show mt)"
check "ip link add mn netns B link p0 type vnl kind macvlan: the child in B" \
	ip -n "$A" link add mn netns "$B" link p0 type vnl kind macvlan mode bridge
check "... mn is in B" link_exists -n "$B" mn
check_match "... ip link shows mn@if<p0's ifindex> in B" \
	"^[0-9]+: mn@if$(ip -n "$A" -o link show p0 | cut -d: -f1): " "$(ip -n "$B" -o link show mn)"

ip -n "$A" addr add 10.78.0.1/24 dev m-bridge
ip -n "$A" link set m-bridge up
ip -n "$W" addr add 10.78.0.2/24 dev w0
check "ping from the wire to a bridge-mode child" wait_until 30 vping "$W" 10.78.0.1 -c 1

for child in m-private m-vepa m-bridge m-source mv mq mt; do
	ip -n "$A" link del "$child"
done
ip -n "$B" link del mn
check "ip link add mp link p0 type vnl kind macvlan mode passthru (the only child)" \
	ip -n "$A" link add mp link p0 type vnl kind macvlan mode passthru
check_match "ip -d link show mp: mode passthru" 'vnl kind macvlan mode passthru ' \
	"$(ip -n "$A" -d link show mp)"
check "ip link del mp" ip -n "$A" link del mp
check_eq "A holds lo and p0 again" $'lo\np0' "$(link_names "$A")"

# --- refused, each with its reason, nothing left behind --------------------------------

# refused DESCRIPTION RC REGEX ARGS...: `ip -n A link add ARGS` exits RC
# (2: the kernel refused; 1: the plugin; 255: ip itself), with a message
# matching REGEX, and neither A nor B has a device more.
refused() {
	local desc=$1 rc=$2 regex=$3 before
	shift 3
	before="$(link_names "$A")|$(link_names "$B")"
	check_fails_with "refused: $desc" "$rc" "$regex" ip -n "$A" link add "$@"
	check_eq "refused: $desc: nothing created" "$before" \
		"$(link_names "$A")|$(link_names "$B")"
}

refused "no kind" 2 'the kind of vnl device is needed' x0 type vnl
refused "an unknown kind" 1 'kind "bogus" is not one of' x0 type vnl kind bogus
refused "kind tun" 2 'tun and tap devices are created through /dev/vnl' \
	x0 type vnl kind tun
refused "kind tap" 2 'tun and tap devices are created through /dev/vnl' \
	x0 type vnl kind tap
refused "a tap face on a pair" 2 'a pair takes no .*tap face' \
	x0 type vnl kind pair tap peer y0
refused "multi-queue without tap" 1 '"multi-queue" is a tap face' \
	x0 link p0 type vnl kind macvlan multi-queue
refused "a pair without a peer" 2 'a pair needs its peer' x0 type vnl kind pair
refused "a peer without a name" 2 'the peer needs a name' \
	x0 type vnl kind pair peer mtu 1400
refused "a peer name taken" 2 'peer name is already in use' \
	x0 type vnl kind pair peer p0
refused "both ends named alike" 2 'peer name equals the device name' \
	x0 type vnl kind pair peer x0
refused "a peer in a netns of no process" 2 'no such network namespace for the peer|no such process' \
	x0 type vnl kind pair peer y0 netns 999999
refused "a peer in a netns that does not exist" 255 'invalid "netns" value' \
	x0 type vnl kind pair peer y0 netns ns-none-$$
# Registration itself failing: the peer first (nothing was registered),
# then this end once the peer was (the peer goes again).
refused "a peer index taken (lo's)" 2 'could not register the peer device' \
	x0 type vnl kind pair peer y0 index 1
refused "a device named \".\" (which ip lets by), the peer registered already" 2 \
	'could not register the device' . type vnl kind pair peer y0
refused "a multicast peer address" 2 'the address must be unicast' \
	x0 type vnl kind pair peer y0 address 01:00:5e:00:00:01
refused "a pair with a macvlan mode" 2 'a pair takes no parent' \
	x0 type vnl kind pair mode bridge peer y0
refused "a pair with a parent" 2 'a pair takes no parent' \
	x0 link p0 type vnl kind pair peer y0
refused "an unknown mode" 1 'mode "bogus" is not one of' \
	x0 link p0 type vnl kind macvlan mode bogus
refused "a macvlan child without a parent" 2 'a macvlan child needs its parent' \
	x0 type vnl kind macvlan mode bridge
refused "a macvlan child with a peer" 2 'a macvlan child has no peer' \
	x0 link p0 type vnl kind macvlan peer y0
refused "a macvlan child on loopback" 2 'the parent must be an Ethernet device' \
	x0 link lo type vnl kind macvlan
refused "a broadcast queue beyond 65535" 2 'out of range' \
	x0 link p0 type vnl kind macvlan bcqueuelen 70000
# Not a refusal of a request: "ip link add" on an existing name.
check_fails_with "refused: a device name taken (the core: it exists)" 2 'file exists' \
	ip -n "$A" link add p0 type vnl kind pair peer y0

# Attributes ip cannot send: VNL_A_MTU (5, the family's, not rtnetlink's)
# and an attribute above VNL_A_MAX, each in IFLA_INFO_DATA beside
# VNL_A_KIND pair (include/uapi/linux/vnl.h).  Raw RTM_NEWLINKs, with the
# extended ACK's message printed.
raw=$(ip netns exec "$A" python3 - 2>&1 <<'EOF'
import socket, struct

def attr(kind, payload):
    size = 4 + len(payload)
    return struct.pack('HH', size, kind) + payload + b'\0' * (-size % 4)

def newlink(sock, extra):
    data = attr(4, struct.pack('I', 1)) + attr(extra, struct.pack('I', 1500))
    linkinfo = attr(1, b'vnl') + attr(2, data)
    body = (struct.pack('BxHiII', 0, 0, 0, 0, 0) + attr(3, b'raw0\0') +
            attr(18, linkinfo))
    # RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
    sock.send(struct.pack('IHHII', 16 + len(body), 16, 0x605, 1, 0) + body)
    reply = sock.recv(65536)
    err = struct.unpack_from('i', reply, 16)[0]
    msg, off = '', 36      # header, error, the request's header (capped)
    while off + 4 <= len(reply):
        size, kind = struct.unpack_from('HH', reply, off)
        if kind == 1:      # NLMSGERR_ATTR_MSG
            msg = reply[off + 4:off + size].rstrip(b'\0').decode()
        off += (size + 3) & ~3
    print(f'{extra}: error {err}: {msg}')

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
sock.setsockopt(270, 10, 1)    # SOL_NETLINK, NETLINK_CAP_ACK
sock.setsockopt(270, 11, 1)    # NETLINK_EXT_ACK
sock.bind((0, 0))
newlink(sock, 5)
newlink(sock, 200)
EOF
)
check_match "refused: VNL_A_MTU in IFLA_INFO_DATA (EINVAL)" \
	'5: error -22: Unsupported attribute' "$raw"
check_match "refused: an attribute above VNL_A_MAX (EINVAL)" \
	'200: error -22: Unknown attribute type' "$raw"
check "refused: raw requests: nothing created" link_absent -n "$A" raw0

exit_status
