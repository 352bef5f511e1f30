# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the vnlctl tests: one line per check with its verdict, and a
# closing "N passed, N failed[, N skipped]".  Source it; then call `run`,
# `expect` and `check`, and end with `summary`.

VNLCTL=${VNLCTL:-vnlctl}
passed=0 failed=0 skipped=0
tmp=$(mktemp -d)

# Runs "$@", keeping its stdout in $out, its stderr in $err and its status
# in $rc.  The files are read by bash, not cat: on the debug kernel under
# TCG each process start costs a quarter of a second or more, and the
# checks below start none but the command itself.
run() {
	"$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	out=$(<"$tmp/stdout")
	err=$(<"$tmp/stderr")
}

ok() {
	passed=$((passed + 1))
	printf 'ok    %s\n' "$1"
}

not_ok() {
	local line

	failed=$((failed + 1))
	printf 'FAIL  %s\n' "$1"
	shift
	for line in "$@"; do
		printf '      %s\n' "$line"
	done
}

skip() {
	skipped=$((skipped + 1))
	printf 'skip  %s\n' "$1"
}

# expect DESC STATUS STDERR_REGEX -- CMD...
# CMD must exit with STATUS, and its stderr match the extended regex (an
# empty regex: stderr must be empty).  $out, $err and $rc stay for more
# checks.
expect() {
	local desc=$1 want=$2 pattern=$3

	shift 4
	run "$@"
	if [[ $rc -ne $want ]]; then
		not_ok "$desc" "exit status $rc, wanted $want" "stderr: $err"
	elif [[ -z $pattern && -n $err ]]; then
		not_ok "$desc" "unexpected stderr: $err"
	elif [[ -n $pattern ]] && ! matches "$err" "$pattern"; then
		not_ok "$desc" "stderr does not match /$pattern/" "stderr: $err"
	else
		ok "$desc"
		return 0
	fi
	return 1
}

# check DESC CMD...: CMD must succeed; its stdout is not shown.
check() {
	local desc=$1

	shift
	if "$@" >/dev/null; then
		ok "$desc"
	else
		not_ok "$desc" "failed: $*"
	fi
}

# matches TEXT REGEX: some line of TEXT matches the extended regex (as
# `grep -Eq`, by bash's =~, which is POSIX ERE too).
matches() {
	local line re=$2
	while IFS= read -r line; do
		[[ $line =~ $re ]] && return 0
	done <<<"$1"
	return 1
}

# json TEXT JQ_FILTER: TEXT is valid JSON and the filter is true.
json() {
	jq -e "$2" <<<"$1" >/dev/null 2>&1
}

summary() {
	rm -rf "$tmp"
	printf '%d passed, %d failed' "$passed" "$failed"
	if ((skipped)); then
		printf ', %d skipped' "$skipped"
	fi
	printf '\n'
	((failed == 0))
}
