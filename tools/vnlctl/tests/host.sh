#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl on a machine without the vnl module: the command line, usage
# errors (exit 2, nothing sent), missing netns or files (exit 1), and the
# "module not loaded" message (exit 1).  Never loads anything.  Then
# tests/docs.sh: the man pages and the bash completion against the help.
#
#   tools/vnlctl/tests/host.sh      (or: make -C tools/vnlctl check)

cd "$(dirname "$0")/.." || exit 1
VNLCTL=$PWD/vnlctl
. tests/lib.sh

NOT_LOADED='^vnl module not loaded: generic netlink family "vnl" not found$'
USAGE='^Usage: vnlctl'
# A usage error is one line, then where the whole usage is.
TRY="^try 'vnlctl ([a-z]+ )?--help'\$"

if [[ ! -x $VNLCTL ]]; then
	echo "vnlctl is not built: run make -C tools/vnlctl" >&2
	exit 1
fi

check_usage() {
	local desc=$1

	shift
	expect "$desc: exit 2, the error and a try line" 2 "$TRY" -- "$VNLCTL" "$@" &&
		check "$desc: two lines on stderr, nothing on stdout" \
			test -z "$out" -a "$(wc -l <<<"$err")" -eq 2
}

# check_try DESC SUBCOMMAND ERROR_REGEX -- ARGS...: exit 2, stderr is the
# error on one line and "try 'vnlctl SUBCOMMAND --help'", stdout empty.
check_try() {
	local desc=$1 sub=$2 pattern=$3 try

	shift 4
	try="try 'vnlctl ${sub:+$sub }--help'"
	run "$VNLCTL" "$@"
	if [[ $rc -eq 2 && -z $out && $(wc -l <<<"$err") -eq 2 &&
	      $(head -1 <<<"$err") =~ $pattern && $(tail -1 <<<"$err") == "$try" ]]; then
		ok "$desc"
	else
		not_ok "$desc" "exit status $rc, wanted 2" "stderr: $err" \
			"wanted: /$pattern/ then $try" "stdout: $out"
	fi
}

check_help() {
	local desc=$1

	shift
	expect "$desc: exit 0" 0 '' -- "$VNLCTL" "$@" &&
		check "$desc: usage on stdout" matches "$out" "$USAGE"
}

check_help "--help" --help
check_help "-h" -h
check_help "help" help
check_help "help add" help add
check_help "show --help" show --help
check_help "add --help" add --help
check_help "version -h" version -h
check "add --help: shows tun and tap" matches "$("$VNLCTL" add --help)" \
	'^       vnlctl .* add \{tun\|tap\} NAME \[user USER\] \[group GROUP\]$'
check "add --help: shows macvlan" matches "$("$VNLCTL" add --help)" \
	'^       vnlctl .* add macvlan NAME parent DEV \[mode MODE\]$'
check "add --help: macvlan takes bcqueuelen" matches "$("$VNLCTL" add --help)" \
	'^ +\[address MAC\] \[mtu N\] \[bcqueuelen N\]$'
check "add --help: macvlan takes a tap face" matches "$("$VNLCTL" add --help)" \
	'^ +\[netns NETNS\] \[tap \[multi-queue\]\]$'
check_help "set --help" set --help
check "set --help: mode and bcqueuelen" matches "$("$VNLCTL" set --help)" \
	'^Usage: vnlctl .* set NAME \[mode MODE\] \[bcqueuelen N\]$'
check_help "help macaddr" help macaddr
check "help lists set and macaddr" bash -c \
	"'$VNLCTL' help | grep -Eq '^  set ' && '$VNLCTL' help | grep -Eq '^  macaddr '"
check "macaddr --help: every form" matches "$("$VNLCTL" macaddr --help)" \
	'^       vnlctl .* macaddr NAME flush$'

check_try "usage error: one line, try add --help" add '^vnlctl: unknown argument "colour"$' -- \
	add pair a peer b colour red
check_try "usage error: one line, try set --help" set '^vnlctl: unknown mode "fast" ' -- \
	set m0 mode fast
check_try "usage error: one line, try show --help" show '^vnlctl: too many arguments$' -- \
	show a b
check_try "unknown subcommand: try vnlctl --help" '' '^vnlctl: unknown subcommand "bogus"$' -- \
	bogus
check_try "unknown option: try vnlctl --help" '' '^vnlctl: unknown option "-x"$' -- -x show
check "add --help: the ip words" matches "$("$VNLCTL" add --help)" \
	'vnlctl add dev tap0 mode tap'

# -V, --version: vnlctl's version, and the module's or that it is not
# loaded; exit 0 either way.
for opt in -V --version -version; do
	expect "$opt: exit 0" 0 '' -- "$VNLCTL" "$opt"
	check "$opt: vnlctl's version first" matches "$(head -1 <<<"$out")" \
		'^vnlctl [0-9]+\.[0-9]+\.[0-9]+$'
	check "$opt: then the module" matches "$(tail -1 <<<"$out")" \
		'^vnl module (not loaded|[^ ]+ \(genl family vnl version [0-9]+\))$'
done
expect "-j -V: exit 0" 0 '' -- "$VNLCTL" -j -V
check "-j -V: one object, the module null or a string" json "$out" \
	'(.vnlctl | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")) and .genl_family == "vnl" and
	 (.module == null or (.module | type) == "string")'
check_try "-V with a subcommand" '' '^vnlctl: -V takes no subcommand$' -- -V show
check_usage "-V with -batch" -V -batch /dev/null

# ip's words beside vnlctl's: what they may not say, one line each.
check_try "ip words: kind given twice, both named" add \
	'^vnlctl: kind given twice: "mode tap" and "type macvlan"$' -- \
	add dev t0 mode tap type macvlan
check_try "ip words: first word and mode disagree" add \
	'^vnlctl: kind given twice: "macvlan" and "mode tap"$' -- \
	add macvlan m0 parent d0 mode tap
check_try "ip words: type veth and mode tun disagree" add \
	'^vnlctl: kind given twice: "type veth" and "mode tun"$' -- \
	add a type veth mode tun
check_try "ip words: name given twice, both named" add \
	'^vnlctl: device name given twice: "a" and "b"$' -- add dev a name b type tap
check_try "ip words: a free word and dev disagree" add \
	'^vnlctl: device name given twice: "a" and "b"$' -- add pair a dev b peer c
check_try "ip words: no kind" add \
	'^vnlctl: missing device kind: pair, tun, tap or macvlan first, or type KIND$' -- \
	add a peer name b
check_try "ip words: no name" add '^vnlctl: missing device name$' -- add type tap
check_try "ip words: unknown type" add \
	'^vnlctl: unknown device kind "vxlan" \(pair, veth, tun, tap or macvlan\)$' -- \
	add a type vxlan
check_try "ip words: veth first is a name, then a kind is missing" add \
	'^vnlctl: unknown device kind "veth" ' -- add veth a peer b
check_try "ip words: a macvlan mode for a tap" add '^vnlctl: unknown mode "bridge" \(tun or tap\)$' -- \
	add dev t0 mode tap mode bridge
check_try "ip words: a tun/tap word for a pair" add '^vnlctl: "multi_queue" does not apply to a pair$' -- \
	add a type veth peer name b multi_queue
check_try "ip words: link for a tap" add '^vnlctl: "link" does not apply to a tap$' -- \
	add dev t0 mode tap link eth0
check_try "ip words: mode for a pair" add '^vnlctl: "mode" does not apply to a pair$' -- \
	add pair a peer b mode bridge
check_try "ip words: dangling peer name" add '^vnlctl: "peer name" needs a value$' -- \
	add a type veth peer name
check_try "ip words: dangling dev" add '^vnlctl: "dev" needs a value$' -- add tap dev
check_try "ip words: dangling type" add '^vnlctl: "type" needs a value$' -- add a type
check_try "ip words: dangling mode" add '^vnlctl: "mode" needs a value$' -- add dev t0 mode
check_try "ip words: peer and peer name" add '^vnlctl: "peer" given twice$' -- \
	add a type veth peer b peer name c
check_try "ip words: link and parent" add '^vnlctl: "parent" given twice$' -- \
	add link d0 name m0 type macvlan parent d1
check_try "ip words: multi_queue and multi-queue" add '^vnlctl: "multi-queue" given twice$' -- \
	add dev t0 mode tap multi_queue multi-queue
check_try "ip words: after peer name, netns is the peer's" add \
	'^vnlctl: "peer-netns" given twice$' -- \
	add a type veth peer name b netns n1 peer-netns n2
check_try "ip words: after peer name, address is the peer's" add \
	'^vnlctl: "peer-address" given twice$' -- \
	add a type veth peer name b address 2:0:0:0:0:1 peer-address 2:0:0:0:0:2
check_try "ip words: after peer PEER, netns stays the device's" add \
	'^vnlctl: "netns" given twice$' -- add pair a peer b netns n1 netns n2
check_try "ip words: a 16-byte dev for a tap" add '^vnlctl: name longer than 15 bytes$' -- \
	add dev abcdefghijklmnop mode tap
check_try "ip words: a bad mtu keeps its message" add '^vnlctl: bad mtu "big"$' -- \
	add a type veth peer name b mtu big
check_try "ip words: macvlan without link says both" add \
	"^vnlctl: missing \"parent DEV\" \(or ip's \"link DEV\"\)\$" -- \
	add name m0 type macvlan mode bridge

check_usage "no arguments"
check_usage "unknown subcommand" bogus
check_usage "unknown option" -x show
check_usage "-n without NETNS" -n
check_usage "-batch without FILE" -batch
check_usage "-batch with a subcommand" -batch /dev/null show
check_usage "help of an unknown subcommand" help bogus
check_usage "add without arguments" add
check_usage "add of an unknown kind" add veth a peer b
check_usage "add without a name" add pair
check_usage "add without a peer" add pair a
check_usage "add with a dangling keyword" add pair a peer
check_usage "add with an unknown keyword" add pair a peer b colour red
check_usage "add with peer twice" add pair a peer b peer c
check_usage "add with a word for mtu" add pair a peer b mtu abc
check_usage "add with a negative mtu" add pair a peer b mtu -1
check_usage "add with mtu past 32 bits" add pair a peer b mtu 4294967296
check_usage "add with a hex mtu" add pair a peer b mtu 0x100
check_usage "add with a short MAC" add pair a peer b address 02:00:00:00:01
check_usage "add with a long MAC" add pair a peer b address 02:00:00:00:00:01:02
check_usage "add with a non-hex MAC" add pair a peer b address 02:00:00:00:00:zz
check_usage "add with a 3-digit MAC byte" add pair a peer b peer-address 002:0:0:0:0:1
check_usage "add with a trailing colon" add pair a peer b address 2:0:0:0:0:1:
check_usage "add with a bad pid" add pair a peer b peer-netns pid:abc
check_usage "add with pid 0" add pair a peer b netns pid:0
check_usage "add with a netns path" add pair a peer b netns ../x
check_usage "add tun without a name" add tun
check_usage "add tap with a 16-byte name" add tap abcdefghijklmnop
expect "add tun with a 16-byte name: says the limit" 2 \
	'^vnlctl: name longer than 15 bytes$' -- "$VNLCTL" add tun abcdefghijklmnop
check_usage "add tun with an unknown keyword" add tun t0 colour
check_usage "add tun with a pair's keyword" add tun t0 peer t1
check_usage "add tun with pi twice" add tun t0 pi pi
check_usage "add tap with multi-queue twice" add tap t0 multi-queue pi multi-queue
check_usage "add tap with vnet_hdr and vnet-hdr" add tap t0 vnet_hdr vnet-hdr
check_usage "add tun with a dangling user" add tun t0 user
check_usage "add tap with a dangling group" add tap t0 pi group
check_usage "add tun with user twice" add tun t0 user 0 user 0
check_usage "add tun with group twice" add tun t0 group 0 group 0
check_usage "add tun with a negative uid" add tun t0 user -1
check_usage "add tun with uid past 32 bits" add tun t0 user 4294967296
expect "add tun with an unknown user names it" 2 \
	'^vnlctl: unknown user "vnlctl-no-such-user"$' -- \
	"$VNLCTL" add tun t0 user vnlctl-no-such-user
expect "add tap with an unknown group names it" 2 \
	'^vnlctl: unknown group "vnlctl-no-such-group"$' -- \
	"$VNLCTL" add tap t0 group vnlctl-no-such-group
check_usage "add macvlan without a name" add macvlan
check_usage "add macvlan without a parent" add macvlan m0
check_usage "add macvlan without a parent, with a mode" add macvlan m0 mode bridge
check_usage "add macvlan with a dangling parent" add macvlan m0 parent
check_usage "add macvlan with parent twice" add macvlan m0 parent d0 parent d1
check_usage "add macvlan with an unknown mode" add macvlan m0 parent d0 mode hairpin
check_usage "add macvlan with a mode in capitals" add macvlan m0 parent d0 mode BRIDGE
check_usage "add macvlan with mode twice" add macvlan m0 parent d0 mode vepa mode bridge
check_usage "add macvlan with a dangling mode" add macvlan m0 parent d0 mode
check_usage "add macvlan with a bad MAC" add macvlan m0 parent d0 address 02:00:00:00:00
check_usage "add macvlan with a non-hex MAC" add macvlan m0 parent d0 address 02:00:00:00:00:gg
check_usage "add macvlan with a bad mtu" add macvlan m0 parent d0 mtu 1500x
check_usage "add macvlan with a pair's keyword" add macvlan m0 parent d0 peer m1
check_usage "add macvlan with a bad netns" add macvlan m0 parent d0 netns pid:x
expect "add macvlan with an unknown mode names it" 2 \
	'^vnlctl: unknown mode "hairpin" \(private, vepa, bridge, passthru or source\)$' -- \
	"$VNLCTL" add macvlan m0 parent d0 mode hairpin
expect "add macvlan with a bad MAC names it" 2 '^vnlctl: bad address "2:0:0"$' -- \
	"$VNLCTL" add macvlan m0 parent d0 address 2:0:0
expect "add macvlan without a parent says so" 2 '^vnlctl: missing "parent DEV"' -- \
	"$VNLCTL" add macvlan m0 mode bridge
check_usage "add macvlan with a word for bcqueuelen" add macvlan m0 parent d0 bcqueuelen many
check_usage "add macvlan with a negative bcqueuelen" add macvlan m0 parent d0 bcqueuelen -1
check_usage "add macvlan with bcqueuelen past 32 bits" add macvlan m0 parent d0 bcqueuelen 4294967296
check_usage "add macvlan with a hex bcqueuelen" add macvlan m0 parent d0 bcqueuelen 0x10
check_usage "add macvlan with an empty bcqueuelen" add macvlan m0 parent d0 bcqueuelen ''
check_usage "add macvlan with bcqueuelen twice" add macvlan m0 parent d0 bcqueuelen 1 bcqueuelen 2
check_usage "add macvlan with a dangling bcqueuelen" add macvlan m0 parent d0 bcqueuelen
check_usage "add pair with bcqueuelen" add pair a peer b bcqueuelen 10
check_usage "add tap with bcqueuelen" add tap t0 bcqueuelen 10
# A tap face: tap and multi-queue take no value; multi-queue needs tap.
check_usage "add macvlan with tap twice" add macvlan m0 parent d0 tap tap
check_usage "add macvlan with multi-queue twice" add macvlan m0 parent d0 tap multi-queue multi_queue
check_usage "add macvlan with multi-queue, no tap" add macvlan m0 parent d0 multi-queue
check_usage "add macvlan with tap, no parent" add macvlan m0 tap
check_usage "add macvlan with tap given a value" add macvlan m0 parent d0 tap yes
check_usage "add pair with tap" add pair a peer b tap
check_try "add macvlan with multi-queue alone says it needs tap" add \
	'^vnlctl: "multi-queue" needs "tap": only a tap face has queues$' -- \
	add macvlan m0 parent d0 mode bridge multi_queue
check_try "add macvlan with tap twice names it" add '^vnlctl: "tap" given twice$' -- \
	add macvlan m0 parent d0 tap mode vepa tap
check_try "add tap with tap: a word of macvlan" add '^vnlctl: "tap" does not apply to a tap$' -- \
	add tap t0 tap
expect "add macvlan with a bad bcqueuelen names it" 2 '^vnlctl: bad bcqueuelen "1k"$' -- \
	"$VNLCTL" add macvlan m0 parent d0 bcqueuelen 1k
check_usage "set without arguments" set
check_usage "set without a mode" set m0
check_usage "set with a dangling mode" set m0 mode
check_usage "set with an unknown mode" set m0 mode bogus
check_usage "set with mode twice" set m0 mode vepa mode bridge
check_usage "set with an unknown keyword" set m0 mtu 1400
check_usage "set with a dangling bcqueuelen" set m0 bcqueuelen
check_usage "set with a word for bcqueuelen" set m0 bcqueuelen lots
check_usage "set with a negative bcqueuelen" set m0 bcqueuelen -5
check_usage "set with bcqueuelen past 32 bits" set m0 bcqueuelen 99999999999
check_usage "set with bcqueuelen twice" set m0 bcqueuelen 1 mode vepa bcqueuelen 2
check_usage "set with a good bcqueuelen and a bad mode" set m0 bcqueuelen 10 mode bogus
expect "set with a bad bcqueuelen names it" 2 '^vnlctl: bad bcqueuelen "2.5"$' -- \
	"$VNLCTL" set m0 bcqueuelen 2.5
expect "set with nothing to set names both" 2 \
	'^vnlctl: nothing to set: missing "mode MODE" or "bcqueuelen N"$' -- "$VNLCTL" set m0
check_usage "macaddr without arguments" macaddr
check_usage "macaddr without an operation" macaddr m0
check_usage "macaddr with an unknown operation" macaddr m0 replace 02:00:00:00:00:01
check_usage "macaddr add without a MAC" macaddr m0 add
check_usage "macaddr del without a MAC" macaddr m0 del
check_usage "macaddr flush with a MAC" macaddr m0 flush 02:00:00:00:00:01
check_usage "macaddr add with a bad MAC" macaddr m0 add 02:00:00:00:00:01 02:00:00:00:01
check_usage "macaddr set with a bad MAC" macaddr m0 set 02-00-00-00-00-01
expect "macaddr add without a MAC says so" 2 \
	'^vnlctl: add needs at least one address$' -- "$VNLCTL" macaddr m0 add
expect "macaddr with a bad MAC names it" 2 '^vnlctl: bad address "zz"$' -- \
	"$VNLCTL" macaddr m0 add 02:00:00:00:00:01 zz
check_usage "show with two names" show a b
check_usage "del without a name" del
check_usage "stats without a name" stats
check_usage "version with an argument" version x
check_usage "monitor with an argument" monitor x

expect "-n of a missing netns names it" 1 '"vnlctl-no-such-ns"' -- \
	"$VNLCTL" -n vnlctl-no-such-ns show
expect "peer-netns of a missing netns names it" 1 '"vnlctl-no-such-ns"' -- \
	"$VNLCTL" add pair a peer b peer-netns vnlctl-no-such-ns
expect "netns of a missing netns names it" 1 '"vnlctl-no-such-ns"' -- \
	"$VNLCTL" add pair a peer b netns vnlctl-no-such-ns
expect "-batch of a missing file" 1 '^vnlctl: cannot open batch file' -- \
	"$VNLCTL" -batch /nonexistent/batch
expect "-batch usage error gives the line" 1 \
	'^vnlctl: line 4: unknown subcommand "bogus"$' -- \
	bash -c "printf '# only a comment\n\n   \nbogus x\nshow\n' | '$VNLCTL' -batch -"
expect "-batch of comments only" 0 '' -- \
	bash -c "printf '# a comment\n\n' | '$VNLCTL' -batch -"

if [[ -r /proc/modules ]] && grep -q '^vnl ' /proc/modules; then
	skip "module-not-loaded checks: vnl is loaded on this machine"
	summary
	exit
fi

expect "version: exit 1, module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" version
check "version: still prints vnlctl's version" matches "$out" '^vnlctl [0-9]+\.[0-9]+\.[0-9]+$'
expect "-j version: exit 1, module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" -j version
check "-j version: nothing on stdout" test -z "$out"
expect "show: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" show
expect "show NAME: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" show a
expect "stats: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" stats a
expect "del: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" del a
expect "monitor: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" monitor
expect "add: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" add pair a peer b

# ip's words parse, then reach the kernel: here "not loaded", not a usage error.
ip_words=(
	"add pair a peer name b"
	"add a type veth peer name b"
	"add a type veth peer b"
	"add type veth a peer name b mtu 1400"
	"add name a type pair peer name b address 2:0:0:0:0:1"
	"add dev a type veth peer name b address 2:0:0:0:0:2"
	"add pair a type veth peer b"
	"add pair dev a peer b"
	"add tap dev tap0"
	"add tap tap0 dev tap0"
	"add dev tap0 mode tap"
	"add tap0 mode tap"
	"add dev tun0 mode tun multi_queue pi user root group root"
	"add mode tun dev tun0 multi-queue"
	"add dev tap0 mode tap vnet_hdr"
	"add tap tap0 vnet-hdr"
	"add tun dev tun0 mode tun"
	"add dev t0 type tap multi_queue"
	"add link d0 name m0 type macvlan mode bridge"
	"add m0 link d0 type macvlan mode private"
	"add macvlan m0 link d0 mode vepa bcqueuelen 10"
	"add type macvlan link d0 dev m0 mtu 1400 address 2:0:0:0:0:3"
	"add macvlan name m0 parent d0 mode source"
	"add macvlan m0 parent d0 tap"
	"add macvlan m0 tap parent d0 multi-queue"
	"add link d0 name m0 type macvlan mode bridge tap multi_queue"
	"add m0 tap link d0 type macvlan"
	"add macvlan dev tap parent tap tap"
)
for line in "${ip_words[@]}"; do
	# shellcheck disable=SC2086 # the words are split on purpose
	expect "ip words: vnlctl $line: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" $line
done
expect "add tun: module not loaded" 1 "$NOT_LOADED" -- "$VNLCTL" add tun t0
expect "add tap, every option by name: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add tap t0 user root group root pi multi-queue
expect "add tun, user and group by number: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add tun t0 user 4000000 group 4000001
expect "-j add tap: module not loaded, nothing on stdout" 1 "$NOT_LOADED" -- \
	"$VNLCTL" -j add tap t0
check "-j add tap: nothing on stdout" test -z "$out"
expect "add macvlan: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add macvlan m0 parent d0
expect "add macvlan, every option: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add macvlan m0 parent d0 mode source address 2:0:0:0:0:1 mtu 1400
for mode in private vepa bridge passthru source; do
	expect "set mode $mode: module not loaded" 1 "$NOT_LOADED" -- \
		"$VNLCTL" set m0 mode "$mode"
done
expect "add macvlan with bcqueuelen 0: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add macvlan m0 parent d0 bcqueuelen 0
expect "set bcqueuelen: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" set m0 bcqueuelen 65535
expect "set mode and bcqueuelen: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" set m0 bcqueuelen 0 mode bridge
expect "macaddr add: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" macaddr m0 add 02:00:00:00:00:01 2:0:0:0:0:2
expect "macaddr del: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" macaddr m0 del 02:00:00:00:00:01
expect "macaddr flush: module not loaded" 1 "$NOT_LOADED" -- \
	"$VNLCTL" macaddr m0 flush
expect "macaddr set with no MAC (empties the list): module not loaded" 1 \
	"$NOT_LOADED" -- "$VNLCTL" macaddr m0 set

# Values the kernel must refuse pass vnlctl's syntax check and get sent: here
# that shows as "not loaded" rather than as a usage error.
expect "mtu 10 is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add pair a peer b mtu 10
expect "a multicast MAC is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add pair a peer b address 01:00:5e:00:00:01
expect "an all-zero MAC is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add pair a peer b peer-address 00:00:00:00:00:00
expect "a 17-byte name is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add pair abcdefghijklmnopq peer b
expect "a missing parent is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add macvlan m0 parent vnlctl-nosuch
expect "bcqueuelen 65536 is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" add macvlan m0 parent d0 bcqueuelen 65536
expect "set bcqueuelen 4294967295 is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" set m0 bcqueuelen 4294967295
expect "a multicast source MAC is the kernel's to refuse" 1 "$NOT_LOADED" -- \
	"$VNLCTL" macaddr m0 add 01:00:5e:00:00:01
expect "257 source MACs are the kernel's to refuse" 1 "$NOT_LOADED" -- \
	bash -c "'$VNLCTL' macaddr m0 set \$(for i in \$(seq 0 256); do printf '2:0:0:0:%x:%x ' \$((i / 256)) \$((i % 256)); done)"
expect "-batch: module not loaded, with the line" 1 \
	'^vnlctl: line 2: vnl module not loaded' -- \
	bash -c "printf '# first\nshow\nshow\n' | '$VNLCTL' -batch -"
expect "-batch: add tun, module not loaded, with the line" 1 \
	'^vnlctl: line 1: vnl module not loaded' -- \
	bash -c "printf 'add tun t0 pi\n' | '$VNLCTL' -batch -"
expect "-batch: add tun usage error, with the line" 1 \
	'^vnlctl: line 2: unknown user "vnlctl-no-such-user"$' -- \
	bash -c "printf '# first\nadd tun t0 user vnlctl-no-such-user\n' | '$VNLCTL' -batch -"
expect "-batch: add macvlan, module not loaded, with the line" 1 \
	'^vnlctl: line 1: vnl module not loaded' -- \
	bash -c "printf 'add macvlan m0 parent d0 mode bridge\n' | '$VNLCTL' -batch -"
expect "-batch: add macvlan with a tap face, module not loaded, with the line" 1 \
	'^vnlctl: line 1: vnl module not loaded' -- \
	bash -c "printf 'add macvlan m0 parent d0 tap multi-queue\n' | '$VNLCTL' -batch -"
expect "-batch: add macvlan multi-queue without tap, with the line" 1 \
	'^vnlctl: line 2: "multi-queue" needs "tap"' -- \
	bash -c "printf '# first\nadd macvlan m0 parent d0 multi-queue\n' | '$VNLCTL' -batch -"
expect "-batch: set usage error, with the line" 1 \
	'^vnlctl: line 2: unknown mode "fast" \(private, vepa, bridge, passthru or source\)$' -- \
	bash -c "printf '# first\nset m0 mode fast\n' | '$VNLCTL' -batch -"
expect "-batch: set bcqueuelen usage error, with the line" 1 \
	'^vnlctl: line 3: bad bcqueuelen "-1"$' -- \
	bash -c "printf '# first\n\nset m0 bcqueuelen -1\n' | '$VNLCTL' -batch -"
expect "-batch: ip's words, module not loaded, with the line" 1 \
	'^vnlctl: line 2: vnl module not loaded' -- \
	bash -c "printf '# first\nadd a type veth peer name b\n' | '$VNLCTL' -batch -"
expect "-batch: a usage error is one line, no try line" 1 \
	'^vnlctl: line 1: kind given twice: "tap" and "type macvlan"$' -- \
	bash -c "printf 'add tap t0 type macvlan\n' | '$VNLCTL' -batch -"
check "-batch: a usage error is one line, no try line" test "$(wc -l <<<"$err")" -eq 1
expect "-batch: macaddr usage error, with the line" 1 \
	'^vnlctl: line 1: bad address "nope"$' -- \
	bash -c "printf 'macaddr m0 set nope\n' | '$VNLCTL' -batch -"

# vnlctl.8, vnl.4 and the bash completion against the help above.
. tests/docs.sh

summary
