#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vnlctl's man pages and bash completion, held to vnlctl itself: every
# subcommand of `vnlctl help`, every option and keyword of `vnlctl help`
# and `vnlctl SUBCOMMAND --help`, and the words the source takes beside
# them (ip's words of add, the kinds, the macvlan modes, the long
# spellings of the options, the JSON keys) must be in vnlctl.8 and, but
# the JSON keys, in vnlctl.bash-completion, which must also offer them.
# vnl.4 must name every ioctl /dev/vnl answers, every TUNSETIFF flag,
# command of the family, drop reason and sysfs file of the module.  Both
# pages must render without a warning (groff -ww, man, mandoc -Tlint if
# installed).  Then the completion is run as bash runs it (COMP_WORDS,
# COMP_CWORD or COMP_LINE, _vnlctl, COMPREPLY), against fake vnlctl and ip commands
# for device and netns names, and against the real vnlctl, which has no
# module here: it must stay quiet.  Needs no module; loads nothing.
#
#   tools/vnlctl/tests/docs.sh      (host.sh, hence make -C tools/vnlctl
#                                    check, runs it too)

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	docs_alone=1
	cd "$(dirname "$0")/.." || exit 1
	VNLCTL=$PWD/vnlctl
	. tests/lib.sh
	if [[ ! -x $VNLCTL ]]; then
		echo "vnlctl is not built: run make -C tools/vnlctl" >&2
		exit 1
	fi
fi

KMOD=../../kmod
DOCS_MAN8=$PWD/vnlctl.8
DOCS_MAN4=$PWD/vnl.4
DOCS_COMPLETION=$PWD/vnlctl.bash-completion

# --- what vnlctl says it takes ----------------------------------------------

# The subcommands of `vnlctl help`: "  add      create ...".
docs_subcommands() {
	"$VNLCTL" help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z]\+\) .*/\1/p'
}

# The options of `vnlctl help`: its usage lines and its Options list.
docs_global_options() {
	"$VNLCTL" help | sed -n '1,/^$/p; /^Options:/,/^$/p' |
		grep -oE '(^|[ [])-[A-Za-z][A-Za-z-]*' | tr -d ' [' | sort -u
}

# The usage block of `vnlctl $1 --help` (up to its first empty line),
# without "Usage: vnlctl [-j] [-n NETNS]" and the same on each form.
docs_usage() {
	"$VNLCTL" "$1" --help | sed -n '1,/^$/p' |
		sed -E 's/^(Usage:)? *vnlctl \[-j\] \[-n NETNS\] //'
}

# The keywords and options of a usage block: words in lower case,
# alternatives of {a|b} and [a|b] split; NAME, MAC... are placeholders.
docs_words_of() {
	tr -s '{}[]|. \t' '\n' |
		grep -E '^-?-?[a-z][a-z0-9_-]*$' | grep -vx vnlctl | sort -u
}

# C string literals of an array of names in a vnlctl source file:
# docs_source_names FILE ARRAY prints the names of `ARRAY[] = { ... };`.
docs_source_names() {
	sed -n "/$2\[\] = {/,/^};/p" "$1" | grep -oE '"[a-z_-]+"' | tr -d '"' | sort -u
}

# Every word add takes besides its kinds: link.c's vnl_add_words table
# (vnlctl's and ip's spellings) and the words vnl_add_scan_word compares
# with by name (dev, name, type).
docs_add_words() {
	{
		sed -n '/vnl_add_words\[\] = {/,/^};/p' link.c | grep -oE '^	\{ "[a-z_-]+"' |
			grep -oE '[a-z_-]+'
		sed -n '/^static int vnl_add_scan_word/,/^}/p' link.c |
			grep -oE 'strcmp\(word, "[a-z_-]+"\)' | grep -oE '"[a-z_-]+"' | tr -d '"'
	} | sort -u
}

# The long spellings of the global options: vnl_is_option(opt, "-j", "-json")
# and vnl_is_help's strings, and the "--" form of each long one.
docs_option_spellings() {
	grep -oE 'vnl_is_option\(opt, "-[a-zA-Z]+", "-[a-z]+"\)' main.c |
		grep -oE '"-[a-zA-Z]+"' | tr -d '"' |
		while read -r o; do
			printf '%s\n' "$o"
			[[ $o == -??* ]] && printf -- '-%s\n' "$o"
		done
	sed -n '/^static bool vnl_is_help/,/^}/p' main.c | grep -oE '"-*[a-z]+"' | tr -d '"'
}

# The JSON keys vnlctl prints (output.c, version and trace's in trace.c).
docs_json_keys() {
	grep -ohE 'vnl_json_key\("[a-z_]+"\)|\\"[a-z_]+\\":|_json\("[a-z_]+"' output.c trace.c |
		sed -E 's/^[^"]*"//; s/\\?".*//' | sort -u
}

# --- the man pages --------------------------------------------------------

# A page as text, one long line per paragraph, no hyphenation, no
# emphasis, so that a word is never cut or decorated.
docs_render() {
	groff -man -Tascii -rLL=4000n -rHY=0 -P-c -P-b -P-o -P-u "$1" 2>/dev/null
}

# has_word TEXT WORD: WORD stands alone in TEXT (not inside peer-netns for
# netns, nor --json for -json).
has_word() {
	local re="(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)"

	[[ $1 =~ $re ]]
}

# words_in DESC TEXT WORD...: one check per word.
words_in() {
	local desc=$1 text=$2 w

	shift 2
	for w in "$@"; do
		if has_word "$text" "$w"; then
			ok "$desc: $w"
		else
			not_ok "$desc: $w" "\"$w\" is not there"
		fi
	done
}

# roff_clean PAGE: no warning from groff -ww (groff-base, tools/deps),
# from man (man-db) nor from mandoc -Tlint, those two if installed.
roff_clean() {
	local page=$1 name=${1##*/} out

	if command -v groff >/dev/null; then
		out=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		check "$name: groff -man -ww -z warns of nothing" test -z "$out"
		[[ -z $out ]] || printf '      %s\n' "$out"
	else
		skip "$name: groff -ww (groff is not installed)"
	fi
	if command -v man >/dev/null; then
		out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
		check "$name: man -l warns of nothing" test -z "$out"
		[[ -z $out ]] || printf '      %s\n' "$out"
	else
		# Not a skip: man-db is no dependency, groff's check above is.
		printf 'note  %s\n' "$name: man -l not run (man-db is not installed)"
	fi
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -W warning "$page" 2>&1)
		check "$name: mandoc -Tlint warns of nothing" test -z "$out"
		[[ -z $out ]] || printf '      %s\n' "$out"
	fi
}

mapfile -t docs_subs < <(docs_subcommands)
mapfile -t docs_opts < <(docs_global_options)
check "vnlctl help lists subcommands (${#docs_subs[@]})" test "${#docs_subs[@]}" -ge 10
check "vnlctl help lists options (${#docs_opts[@]})" test "${#docs_opts[@]}" -ge 4
declare -A docs_sub_words=()
for s in "${docs_subs[@]}"; do
	docs_sub_words[$s]=$(docs_usage "$s" | docs_words_of | grep -vx -- "$s" | tr '\n' ' ')
done
check "add --help has keywords" test -n "${docs_sub_words[add]}"
mapfile -t docs_kinds < <(docs_source_names link.c vnl_kind_names)
mapfile -t docs_modes < <(docs_source_names macvlan.c vnl_macvlan_mode_names)
mapfile -t docs_ops < <(docs_source_names macvlan.c vnl_macaddr_op_names)
mapfile -t docs_addw < <(docs_add_words)
mapfile -t docs_spell < <(docs_option_spellings)
mapfile -t docs_keys < <(docs_json_keys)
check "link.c: add's words found (${#docs_addw[@]})" test "${#docs_addw[@]}" -ge 17
check "output.c: JSON keys found (${#docs_keys[@]})" test "${#docs_keys[@]}" -ge 40

if [[ ! -f $DOCS_MAN8 ]]; then
	not_ok "vnlctl.8 exists"
elif ! command -v groff >/dev/null; then
	skip "vnlctl.8: groff is not installed, nothing rendered"
else
	roff_clean "$DOCS_MAN8"
	man8=$(docs_render "$DOCS_MAN8")
	for s in "${docs_subs[@]}"; do
		check "vnlctl.8: a section for $s" grep -qE "^\\.SS ([a-z]+: )?$s(:|\$)" "$DOCS_MAN8"
		# shellcheck disable=SC2086 # words
		words_in "vnlctl.8: $s's keywords" "$man8" ${docs_sub_words[$s]}
	done
	words_in "vnlctl.8: help's options" "$man8" "${docs_opts[@]}"
	words_in "vnlctl.8: the option spellings of main.c" "$man8" "${docs_spell[@]}"
	words_in "vnlctl.8: add's words of link.c" "$man8" "${docs_addw[@]}" veth
	words_in "vnlctl.8: the kinds" "$man8" "${docs_kinds[@]}"
	words_in "vnlctl.8: the macvlan modes" "$man8" "${docs_modes[@]}"
	words_in "vnlctl.8: macaddr's operations" "$man8" "${docs_ops[@]}"
	words_in "vnlctl.8: the JSON keys" "$man8" "${docs_keys[@]}"
	# shellcheck disable=SC2046 # names
	words_in "vnlctl.8: the drop reasons" "$man8" \
		$(docs_source_names output.c vnl_drop_names)
	for status in 0 1 2; do
		check "vnlctl.8: exit status $status" \
			grep -qx "\\.B $status" "$DOCS_MAN8"
	done
	check "vnlctl.8: EXIT STATUS, JSON, EXAMPLES, SEE ALSO sections" bash -c \
		"for s in 'EXIT STATUS' JSON EXAMPLES 'SEE ALSO'; do grep -qx \".SH \$s\" '$DOCS_MAN8' || exit 1; done"
fi

if [[ ! -f $DOCS_MAN4 ]]; then
	not_ok "vnl.4 exists"
elif command -v groff >/dev/null; then
	roff_clean "$DOCS_MAN4"
	man4=$(docs_render "$DOCS_MAN4")
	# shellcheck disable=SC2046 # names
	words_in "vnl.4: the ioctls of chardev.c" "$man4" \
		$(grep -ohE 'case (TUN|SIOC)[A-Z]+:' "$KMOD/chardev.c" "$KMOD/vnet.c" |
		  grep -oE '[A-Z]+' | grep -vx case | sort -u)
	# shellcheck disable=SC2046
	words_in "vnl.4: vnl's own ioctls and batch framing" "$man4" vnl_batch_hdr \
		$(grep -oE '^#define VNL_(IOC|FEATURE|BATCH)_[A-Z_]+' ../../include/uapi/linux/vnl.h |
		  cut -d' ' -f2)
	# shellcheck disable=SC2046
	words_in "vnl.4: the TUNSETIFF flags vnl takes" "$man4" \
		$(sed -n '/define VNL_TUN_FEATURES/,/^$/p' "$KMOD/vnl.h" | grep -oE 'IFF_[A-Z_]+')
	# shellcheck disable=SC2046
	words_in "vnl.4: the family's commands" "$man4" \
		$(grep -oE '^	VNL_CMD_[A-Z_]+' ../../include/uapi/linux/vnl.h | grep -v UNSPEC)
	# shellcheck disable=SC2046
	words_in "vnl.4: the drop reasons" "$man4" \
		$(docs_source_names "$KMOD/drop.c" vnl_drop_names)
	# shellcheck disable=SC2046
	words_in "vnl.4: the sysfs files of tun.c" "$man4" \
		$(grep -oE 'DEVICE_ATTR_RO\([a-z_]+\)' "$KMOD/tun.c" | grep -oE '\([a-z_]+' | tr -d '(')
	words_in "vnl.4: the kinds" "$man4" "${docs_kinds[@]}"
	words_in "vnl.4: the macvlan modes" "$man4" "${docs_modes[@]}"
	words_in "vnl.4: the files" "$man4" /dev/vnl /dev/net/tun
	# Its C example compiles as it stands (with the warnings vnlctl has).
	sed -n '/^\.EX$/,/^\.EE$/p' "$DOCS_MAN4" | sed -n '/^#include/,/^}$/p' |
		sed 's/\\e/\\/g; s/\\-/-/g' >"$tmp/example.c"
	if ! command -v cc >/dev/null; then
		skip "vnl.4: its C example compiles (no cc)"
	else
		check "vnl.4: its C example compiles with -Wall -Wextra -Werror" \
			cc -Wall -Wextra -Werror -fsyntax-only "$tmp/example.c"
	fi
fi

# --- the completion, as text ------------------------------------------------

if [[ ! -f $DOCS_COMPLETION ]]; then
	not_ok "vnlctl.bash-completion exists"
else
	comp_text=$(grep -v '^[[:space:]]*#' "$DOCS_COMPLETION")
	words_in "completion: the subcommands" "$comp_text" "${docs_subs[@]}"
	words_in "completion: help's options" "$comp_text" "${docs_opts[@]}"
	for s in "${docs_subs[@]}"; do
		# shellcheck disable=SC2086
		words_in "completion: $s's keywords" "$comp_text" ${docs_sub_words[$s]}
	done
	words_in "completion: add's words of link.c" "$comp_text" "${docs_addw[@]}" veth
	words_in "completion: the kinds" "$comp_text" "${docs_kinds[@]}"
	words_in "completion: the macvlan modes" "$comp_text" "${docs_modes[@]}"
	words_in "completion: macaddr's operations" "$comp_text" "${docs_ops[@]}"
	check "completion: bash -n" bash -n "$DOCS_COMPLETION"
	check "completion: registers _vnlctl for vnlctl" \
		grep -qx 'complete -F _vnlctl vnlctl' "$DOCS_COMPLETION"
fi

# --- the completion, as bash runs it ----------------------------------------

# run_completion WORD...: runs _vnlctl in a fresh bash with COMP_WORDS=(WORD...)
# and COMP_CWORD on the last word; $out has COMPREPLY one per line (sorted),
# $err its stderr, $rc its status.  DOCS_PATH goes first in PATH.
run_completion() {
	# shellcheck disable=SC2016 # expanded by that bash
	run env PATH="${DOCS_PATH:+$DOCS_PATH:}$PATH" bash --norc --noprofile -c '
		. "$1" || exit 99
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_vnlctl
		rc=$?
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort -u
		exit $rc' docs "$DOCS_COMPLETION" "$@"
}

# run_line LINE: as run_completion, with the cursor at the end of LINE as
# bash gives it, in COMP_LINE and COMP_POINT (COMP_WORDS split at the
# colons of COMP_WORDBREAKS, as bash does: "pid:1" is pid, :, 1).
run_line() {
	# shellcheck disable=SC2016 # expanded by that bash
	run env PATH="${DOCS_PATH:+$DOCS_PATH:}$PATH" bash --norc --noprofile -c '
		. "$1" || exit 99
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -r -a COMP_WORDS <<<"${2//:/ : }"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_vnlctl
		rc=$?
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort -u
		exit $rc' docs "$DOCS_COMPLETION" "$1"
}

# offers DESC "WANTED..." WORD...: the completion of WORD... is exactly
# the words of WANTED (in any order), quietly.
offers() {
	local desc=$1 want

	want=$(tr -s ' ' '\n' <<<"$2" | grep -v '^$' | sort -u)
	shift 2
	run_completion "$@"
	if [[ $rc -eq 0 && -z $err && $out == "$want" ]]; then
		ok "$desc"
	else
		not_ok "$desc" "completing: $*|" "got: ${out//$'\n'/ }" \
			"wanted: ${want//$'\n'/ }" "status $rc, stderr: $err"
	fi
}

# line_offers DESC "WANTED..." LINE: the same for a line as bash has it.
line_offers() {
	local desc=$1 want

	want=$(tr -s ' ' '\n' <<<"$2" | grep -v '^$' | sort -u)
	run_line "$3"
	if [[ $rc -eq 0 && -z $err && $out == "$want" ]]; then
		ok "$desc"
	else
		not_ok "$desc" "completing: $3|" "got: ${out//$'\n'/ }" \
			"wanted: ${want//$'\n'/ }" "status $rc, stderr: $err"
	fi
}

# offered WORD...: the union of what each line, given as one string per
# line, completes to.
offered() {
	local line all=""
	local -a words

	for line in "$@"; do
		read -r -a words <<<"$line"
		[[ $line == *' ' ]] && words+=("")
		run_completion "$VNLCTL" "${words[@]}"
		all+=" $out"
	done
	echo "${all//$'\n'/ }"
}

if [[ -f $DOCS_COMPLETION ]]; then
	# Every subcommand, every option, every keyword of each usage, offered
	# where it may be typed.
	offers "completion: vnlctl TAB: the subcommands of help" \
		"${docs_subs[*]}" "$VNLCTL" ""
	got=$(offered "-")
	words_in "completion offers: help's option" "$got" "${docs_opts[@]}"
	got=$(offered "--")
	words_in "completion offers: option" "$got" --json --netns --batch --version --help
	for s in "${docs_subs[@]}"; do
		[[ -n ${docs_sub_words[$s]// /} ]] || continue
		contexts=("$s " "$s -" "$s x " "$s x -")
		if [[ $s == add ]]; then
			contexts+=("add pair x " "add tun x " "add tap x " "add macvlan x "
				   "add x " "add x type " "add x type veth peer "
				   "add macvlan x mode ")
		fi
		got=$(offered "${contexts[@]}")
		# shellcheck disable=SC2086
		words_in "completion offers $s's keyword" "$got" ${docs_sub_words[$s]}
		if [[ $s == add ]]; then
			words_in "completion offers add's link.c word" "$got" "${docs_addw[@]}"
			words_in "completion offers add's kind" "$got" "${docs_kinds[@]}" veth
		fi
	done

	offers "completion: vnlctl ad TAB" "add" "$VNLCTL" ad
	offers "completion: add pair a0 peer b0 TAB: the pair's words left" \
		"peer-netns peer-address mtu address netns" "$VNLCTL" add pair a0 peer b0 ""
	offers "completion: add tap t0 pi multi_queue TAB: neither again, in either spelling" \
		"user group vnet-hdr vnet_hdr" "$VNLCTL" add tap t0 pi multi_queue ""
	offers "completion: add dev t0 mode tap TAB: ip's way to a tap" \
		"user group pi multi-queue multi_queue vnet-hdr vnet_hdr" \
		"$VNLCTL" add dev t0 mode tap ""
	offers "completion: add macvlan m0 mode TAB: every mode" \
		"${docs_modes[*]}" "$VNLCTL" add macvlan m0 mode ""
	offers "completion: add macvlan m0 link eth0 TAB: no parent after link" \
		"mode address mtu bcqueuelen netns tap" "$VNLCTL" add macvlan m0 link eth0 ""
	offers "completion: add macvlan m0 parent eth0 tap TAB: multi-queue, not tap again" \
		"mode address mtu bcqueuelen netns multi-queue multi_queue" \
		"$VNLCTL" add macvlan m0 parent eth0 tap ""
	offers "completion: add macvlan m0 tap multi_queue parent eth0 TAB" \
		"mode address mtu bcqueuelen netns" \
		"$VNLCTL" add macvlan m0 tap multi_queue parent eth0 ""
	offers "completion: add m0 tap link eth0 type macvlan TAB: ip's words, a tap face" \
		"mode address mtu bcqueuelen netns multi-queue multi_queue" \
		"$VNLCTL" add m0 tap link eth0 type macvlan ""
	offers "completion: add a type TAB: the kinds and veth" \
		"${docs_kinds[*]} veth" "$VNLCTL" add a type ""
	offers "completion: set m0 mode TAB: passthru can be neither set nor left" \
		"private vepa bridge source" "$VNLCTL" set m0 mode ""
	offers "completion: set m0 mode bridge TAB" "bcqueuelen" "$VNLCTL" set m0 mode bridge ""
	offers "completion: macaddr m0 TAB" "${docs_ops[*]}" "$VNLCTL" macaddr m0 ""
	offers "completion: help TAB: the subcommands" "${docs_subs[*]}" "$VNLCTL" help ""
	offers "completion: -n blue trace - TAB: no second -n" "-c --help" \
		"$VNLCTL" -n blue trace -
	offers "completion: add tap t0 user ro TAB: users" \
		"$(compgen -u ro | sort -u)" "$VNLCTL" add tap t0 user ro

	# Device and netns names, from fake commands: a vnlctl whose show
	# lists one device per netns, an ip whose netns list has two.
	bin=$tmp/bin
	mkdir -p "$bin"
	cat >"$bin/vnlctl" <<-'EOF'
	#!/bin/bash
	[[ $1 == -n ]] && { ns=$2; shift 2; }
	[[ $1 == show ]] || exit 2
	echo "7: va${ns:+-${ns//:/_}}: kind pair mtu 1500 state up carrier on"
	echo "    address 02:00:00:00:00:01"
	echo "    peer vb ifindex 8"
	echo "9: t0: kind tap mtu 1500 state down carrier off"
	EOF
	cat >"$bin/vnlctl-broken" <<-'EOF'
	#!/bin/bash
	echo "vnl module not loaded: generic netlink family \"vnl\" not found" >&2
	exit 1
	EOF
	cat >"$bin/ip" <<-'EOF'
	#!/bin/bash
	[[ $1 == -netns ]] && { ns=$2; shift 2; }
	case "$*" in
	"netns list") printf 'blue (id: 0)\nred\n' ;;
	"-o link show type vnl") echo "5: vx${ns:+-$ns}@vy: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue" ;;
	"-o link show") printf '1: lo: <LOOPBACK> mtu 65536\n2: eth0: <BROADCAST> mtu 1500\n' ;;
	*) echo "ip: unexpected: $*" >&2; exit 1 ;;
	esac
	EOF
	chmod +x "$bin/vnlctl" "$bin/vnlctl-broken" "$bin/ip"
	DOCS_PATH=$bin
	offers "completion: del TAB: the devices vnlctl show lists" "va t0" "$bin/vnlctl" del ""
	offers "completion: -n blue stats TAB: the devices of blue" "va-blue t0" \
		"$bin/vnlctl" -n blue stats ""
	offers "completion: show dev TAB" "va t0" vnlctl show dev ""
	offers "completion: trace va -n red TAB: trace's own -n" "va-red t0" \
		vnlctl trace va -n red ""
	offers "completion: without the module, ip's vnl devices" "vx" "$bin/vnlctl-broken" del ""
	offers "completion: ... in the netns of -n" "vx-blue" "$bin/vnlctl-broken" -n blue set ""
	offers "completion: -n TAB: ip netns list" "blue red" vnlctl -n ""
	offers "completion: add pair a peer b peer-netns TAB" "blue red" \
		vnlctl add pair a peer b peer-netns ""
	offers "completion: add macvlan m0 parent TAB: every device" "lo eth0" \
		vnlctl add macvlan m0 parent ""
	offers "completion: add macvlan m0 parent e TAB" "eth0" vnlctl add macvlan m0 parent e
	# bash splits words at colons too: the line is read as typed.
	line_offers "completion, as typed: -n pid:1234 del TAB: that netns' devices" \
		"va-pid_1234 t0" "vnlctl -n pid:1234 del "
	line_offers "completion, as typed: a MAC address does not count as words" \
		"peer-netns peer-address mtu netns" "vnlctl add pair a0 peer b0 address 02:00:00:00:00:01 "
	line_offers "completion, as typed: add tap t0 mu TAB" "multi-queue multi_queue" \
		"vnlctl add tap t0 mu"
	touch "$tmp/batch:one"
	line_offers "completion, as typed: -batch DIR/batch:o TAB: after the colon only" \
		"one" "vnlctl -batch $tmp/batch:o"
	DOCS_PATH=

	# The real vnlctl, without the module, and whatever ip the machine has.
	run_completion "$VNLCTL" del ""
	check "completion: the real vnlctl without the module: quiet, status 0" \
		test "$rc" -eq 0 -a -z "$err"
	run_completion "$VNLCTL" -n vnlctl-docs-no-such-netns show ""
	check "completion: a netns that does not exist: quiet, nothing offered" \
		test "$rc" -eq 0 -a -z "$err" -a -z "$out"
	run_completion "$VNLCTL" -batch ""
	check "completion: -batch TAB: files and -" \
		bash -c "grep -qx -- - <<<\"\$1\" && grep -qx Makefile <<<\"\$1\"" _ "$out"
fi

if [[ -n ${docs_alone:-} ]]; then
	summary
fi
