#!/bin/sh
# docktutor stand-in for pip (NOT PyPA's pip): installs offline from the package table that
# docktutor ships in this image, with the same files, sizes and messages as the simulator's
# pip (src/engine/sim/tools.rs), including PEP 668's refusal on Ubuntu 24.04.
S=/usr/share/docktutor-standin
T=$S/packages.txt
case "$1" in
--version | -V)
	awk -F'|' '$1 == "V" && $2 == "/usr/bin/pip" { print $3 }' "$T"
	exit 0
	;;
install) shift ;;
*)
	echo "docktutor: the simulated pip only does \`pip install\`" >&2
	exit 1
	;;
esac
if [ -d /usr/lib/python3.12 ]; then py=3.12; else py=2.7; fi
site=/usr/local/lib/python$py/dist-packages
names=""
break=0
while [ $# -gt 0 ]; do
	case "$1" in
	--break-system-packages) break=1 ;;
	-r | --requirement)
		if [ $# -lt 2 ]; then
			printf '\nUsage:   \n  pip install [options] <requirement specifier> [package-index-options] ...\n\n-r option requires 1 argument\n' >&2
			exit 2
		fi
		if [ ! -f "$2" ]; then
			echo "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '$2'" >&2
			exit 1
		fi
		names="$names $(sed -e 's/#.*//' -e '/^ *-/d' "$2" | tr '\n' ' ')"
		shift
		;;
	-*) ;;
	*) names="$names $1" ;;
	esac
	shift
done
if [ -z "$(echo $names)" ]; then
	echo 'ERROR: You must give at least one requirement to install (see "pip help install")' >&2
	exit 1
fi
if [ "$break" = 0 ] && [ -e /usr/lib/python$py/EXTERNALLY-MANAGED ]; then
	cat "$S/externally-managed.txt" >&2
	exit 1
fi
mkdir -p "$site"
have=" $(ls "$site" 2>/dev/null | grep '\.dist-info$' | sed 's/-[^-]*\.dist-info$//' | tr 'A-Z' 'a-z' | tr '\n' ' ') "
# Breadth first from what was asked: C| lines to print, then I|name|version|module|size.
plan=$(awk -F'|' -v req="$names" -v have="$have" '
	function canon(s) { s = tolower(s); gsub(/_/, "-", s); return s }
	function bare(s) { sub(/[=<>~!\[; ].*/, "", s); return s }
	$1 == "W" { c = canon($2); wn[c] = $2; wv[c] = $3; wm[c] = $4; ws[c] = $5; wr[c] = $6 }
	END {
		n = split(req, R, " ")
		for (i = 1; i <= n; i++) { q[++tail] = bare(R[i]); from[tail] = "" }
		head = 1
		while (head <= tail) {
			name = q[head]; parent = from[head]; head++
			c = canon(name)
			if (c in wn) { nm = wn[c]; v = wv[c]; m = wm[c]; sz = ws[c]; rq = wr[c] }
			else { nm = name; v = "1.0.0"; m = c; gsub(/-/, "_", m); sz = 120000; rq = "" }
			if (nm in chosen) continue
			if (index(have, " " tolower(m) " ")) {
				printf "C|Requirement already satisfied: %s in SITE (%s)%s\n", nm, v, (parent == "" ? "" : " (from " parent ")")
				continue
			}
			if (parent == "") printf "C|Collecting %s\n", nm
			else printf "C|Collecting %s (from %s)\n", nm, parent
			w = nm; gsub(/-/, "_", w); d = int(sz / 3) + 2000
			if (d > 1000000) ds = sprintf("%.1f MB", d / 1000000)
			else if (d > 10000) ds = sprintf("%d kB", int(d / 1000))
			else if (d > 1000) ds = sprintf("%.1f kB", d / 1000)
			else ds = d " bytes"
			printf "C|  Downloading %s-%s-py3-none-any.whl (%s)\n", w, v, ds
			k = split(rq, RQ, " ")
			for (j = 1; j <= k; j++) { q[++tail] = RQ[j]; from[tail] = nm }
			chosen[nm] = 1; order[++cnt] = nm "|" v "|" m "|" sz
		}
		for (i = 1; i <= cnt; i++) print "I|" order[i]
	}' "$T")
echo "$plan" | grep '^C|' | cut -c3- | sed "s#SITE#$site#"
installs=$(echo "$plan" | grep '^I|')
if [ -n "$installs" ]; then
	printf 'Installing collected packages: %s\n' "$(echo "$installs" | cut -d'|' -f2 | tac | tr "\n" "," | sed -e "s/,$//" -e "s/,/, /g")"
	echo "$installs" | while IFS='|' read -r _ name version module size; do
		dist=$site/$module-$version.dist-info
		mkdir -p "$dist" "$site/$module"
		printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$version" >"$dist/METADATA"
		truncate -s 900 "$dist/METADATA"
		echo pip >"$dist/INSTALLER"
		printf '# %s %s\n' "$name" "$version" >"$site/$module/__init__.py"
		truncate -s $((size > 900 ? size - 900 : 0)) "$site/$module/__init__.py"
	done
	printf 'Successfully installed %s\n' "$(echo "$installs" | awk -F'|' '{ print $2 "-" $3 }' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
fi
echo "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv" >&2
