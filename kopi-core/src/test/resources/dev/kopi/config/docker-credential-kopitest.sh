#!/bin/sh
# A fake Docker credential helper for AuthFilesTest: one file per server URL under $KOPITEST_STORE,
# each holding the JSON the helper prints for "get". Every call is appended to $KOPITEST_STORE/calls.
store="$KOPITEST_STORE"
action="$1"
input=$(cat)
name() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
case "$action" in
store)
	url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
	echo "store $url" >> "$store/calls"
	printf '%s\n' "$input" > "$store/$(name "$url").json"
	;;
get|erase)
	url="$input"
	echo "$action $url" >> "$store/calls"
	case "$url" in
	fail.example) echo "the keychain is on fire" ; exit 3 ;;
	slow.example) sleep 30 ;;
	esac
	f="$store/$(name "$url").json"
	if [ ! -f "$f" ]; then
		echo "credentials not found in native keychain"
		exit 1
	fi
	if [ "$action" = get ]; then cat "$f"; else rm -f "$f"; fi
	;;
list)
	echo "list" >> "$store/calls"
	printf '{'
	sep=''
	for f in "$store"/*.json; do
		[ -f "$f" ] || continue
		u=$(sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p' "$f")
		n=$(sed -n 's/.*"Username":"\([^"]*\)".*/\1/p' "$f")
		printf '%s"%s":"%s"' "$sep" "$u" "$n"
		sep=','
	done
	printf '}\n'
	;;
*)
	echo "unknown action $action"
	exit 1
	;;
esac
