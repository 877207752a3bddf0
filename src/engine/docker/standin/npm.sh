#!/bin/sh
# docktutor stand-in for npm (NOT the real npm): installs offline from the package table that
# docktutor ships in this image, with the same files, sizes and messages as the simulator's
# npm (src/engine/sim/tools.rs).
S=/usr/share/docktutor-standin
T=$S/packages.txt
op=""
global=0
named=""
for a in "$@"; do
	case "$a" in
	-g | --global) global=1 ;;
	--version | -v) awk -F'|' '$1 == "V" && $2 == "/usr/bin/npm" { print $3 }' "$T"; exit 0 ;;
	-*) ;;
	*) if [ -z "$op" ]; then op=$a; else named="$named ${a%@*}"; fi ;;
	esac
done
case "$op" in
install | i | ci | add) ;;
"")
	printf 'npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\n'
	exit 1
	;;
*)
	echo "docktutor: the simulated npm does not do \`$op\` (npm install works)" >&2
	exit 1
	;;
esac
if [ "$global" = 1 ]; then root=/usr/local/lib; else root=$PWD; fi
manifest=$root/package.json
wanted=""
if [ -f "$manifest" ]; then
	# The keys of the "dependencies" object.
	wanted=$(tr -d '\n' <"$manifest" | sed -n 's/.*"dependencies"[[:space:]]*:[[:space:]]*{\([^}]*\)}.*/\1/p' |
		tr ',' '\n' | sed -n 's/^[[:space:]]*"\([^"]*\)".*/\1/p' | tr '\n' ' ')
fi
for n in $named; do
	case " $wanted " in *" $n "*) ;; *) wanted="$wanted $n" ;; esac
done
modules=$root/node_modules
list=$(for name in $wanted; do
	if grep -q "^N|$name|" "$T"; then
		awk -F'|' -v p="$name" '$1 == "N" && $2 == p { print $2 "|" $3 "|" $4 } $1 == "M" && $2 == p { print $3 "|" $4 "|" $5 }' "$T"
	else
		echo "$name|1.0.0|60000"
	fi
done)
added=0
total=1
lock=""
for line in $list; do
	n=${line%%|*}
	rest=${line#*|}
	v=${rest%%|*}
	size=${rest#*|}
	total=$((total + 1))
	lock="$lock,
    \"node_modules/$n\": {
      \"version\": \"$v\"
    }"
	dir=$modules/$n
	[ -f "$dir/package.json" ] && continue
	added=$((added + 1))
	mkdir -p "$dir"
	printf '{\n  "name": "%s",\n  "version": "%s"\n}\n' "$n" "$v" >"$dir/package.json"
	truncate -s 600 "$dir/package.json"
	printf '// %s %s\n' "$n" "$v" >"$dir/index.js"
	truncate -s $((size > 600 ? size - 600 : 0)) "$dir/index.js"
done
if [ "$global" = 0 ]; then
	if [ -n "$named" ]; then
		if [ ! -f "$manifest" ]; then
			deps=""
			for n in $named; do
				v=$(awk -F'|' -v p="$n" '$1 == "N" && $2 == p { print $3 }' "$T")
				deps="$deps,
    \"$n\": \"^${v:-1.0.0}\""
			done
			printf '{\n  "dependencies": {%s\n  }\n}\n' "${deps#,}" >"$manifest"
		else
			for n in $named; do
				grep -q "\"$n\"" "$manifest" && continue
				echo "docktutor: the stand-in npm cannot add $n to an existing package.json; list it under \"dependencies\" and run npm install" >&2
				exit 1
			done
		fi
	fi
	name=$(sed -n 's/^[[:space:]]*"name"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" 2>/dev/null | head -n 1)
	printf '{\n  "name": "%s",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {%s\n  }\n}\n' \
		"${name:-${root##*/}}" "${lock#,}" >"$root/package-lock.json"
fi
plural() { if [ "$1" = 1 ]; then echo package; else echo packages; fi; }
if [ "$added" = 0 ]; then
	printf '\nup to date, audited %d %s in 1s\n\nfound 0 vulnerabilities\n' "$total" "$(plural $total)"
else
	printf '\nadded %d %s, and audited %d %s in 2s\n\nfound 0 vulnerabilities\n' "$added" "$(plural $added)" "$total" "$(plural $total)"
fi
