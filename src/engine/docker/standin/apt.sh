#!/bin/sh
# docktutor stand-in for apt-get and apt (this is NOT Debian's apt). No network is reachable
# where docktutor builds its stand-in images, so this script "installs" offline from the
# package table docktutor ships in the image: the same table, files and sizes as the
# simulator's apt-get (src/engine/packages.rs), printing what apt prints.
S=/usr/share/docktutor-standin
T=$S/packages.txt
LISTS=/var/lib/apt/lists
INFO=/var/lib/dpkg/info
prog=${0##*/}
distro=noble
grep -q jessie /etc/os-release 2>/dev/null && distro=jessie
yes=0
quiet=0
words=""
for a in "$@"; do
	case "$a" in
	-y | --yes | --assume-yes) yes=1 ;;
	-q | --quiet) [ "$quiet" -lt 1 ] && quiet=1 ;;
	-qq) quiet=2 ;;
	-qy | -yq) yes=1; [ "$quiet" -lt 1 ] && quiet=1 ;;
	-qqy | -yqq) yes=1; quiet=2 ;;
	-*) ;;
	*) words="$words $a" ;;
	esac
done
tty=0
[ -t 1 ] && tty=1
if [ "$prog" = apt ] && [ "$tty" = 0 ]; then
	printf '\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n' >&2
fi
# -qq keeps errors only.
[ "$quiet" = 2 ] && exec >/dev/null
set -- $words
op=$1
[ $# -gt 0 ] && shift

done_word() { [ "$tty" = 1 ] && printf ' Done'; }
header() {
	printf 'Reading package lists...%s\nBuilding dependency tree...%s\nReading state information...%s\n' \
		"$(done_word)" "$(done_word)" "$(done_word)"
}
# apt's SizeToStr, without the trailing B.
AWK_SIZE='function aptsize(b,  s, i, u) { u[0]=""; u[1]="k"; u[2]="M"; u[3]="G"; u[4]="T"; s=b; i=0;
  while (1) { if (s < 100 && i != 0) return sprintf("%.1f %s", s, u[i]);
    if (s < 10000 || i == 4) return sprintf("%.0f %s", s, u[i]); s = s / 1000; i++ } }'

update() {
	mkdir -p "$LISTS"
	awk -F'|' -v d="$distro" '$1 == "I" && $2 == d { n++; printf "Get:%d %s\n", n, $3 }' "$T"
	awk -F'|' -v d="$distro" '$1 == "I" && $2 == d { print $4 "|" $5 "|" $3 }' "$T" |
		while IFS='|' read -r file size get; do
			printf '# %s\n' "$get" >"$LISTS/$file"
			truncate -s "$size" "$LISTS/$file"
		done
	awk -F'|' -v d="$distro" '$1 == "R" && $2 == d { print $4 }' "$T"
	printf 'Reading package lists...%s\n' "$(done_word)"
}

installed_names() {
	for f in "$INFO"/*.list; do
		[ -e "$f" ] || continue
		f=${f##*/}
		printf ' %s' "${f%.list}"
	done
	printf ' '
}

# The install plan: P|name|version|size lines, dependencies first, or one E| line.
plan() {
	awk -F'|' -v d="$distro" -v req="$*" -v inst="$(installed_names)" '
	$1 == "D" { known[$2] = 1; ver[$2] = (d == "noble") ? $3 : $4; deps[$2] = $5 }
	$1 == "F" { size[$2] += $4 }
	$1 == "X" { other[$2] = 1 }
	$1 == "O" && $2 == d { retired[$3] = $4 }
	function visit(name,  m, k, D) {
		if (index(inst, " " name " ") || (name in done)) return 1
		if (name in known) {
			if (ver[name] == "-") {
				if (name in retired) print "E|NoCandidate|" name "|" retired[name]
				else print "E|Unknown|" name
				return 0
			}
			m = split(deps[name], D, " ")
			for (k = 1; k <= m; k++)
				if ((D[k] in known) && ver[D[k]] != "-")
					if (!visit(D[k])) return 0
			done[name] = 1; order[++cnt] = name
			return 1
		}
		if (name in other) {
			ver[name] = (d == "noble") ? "1.0-1build1" : "1.0-1"
			size[name] = 251800
			done[name] = 1; order[++cnt] = name
			return 1
		}
		print "E|Unknown|" name
		return 0
	}
	END {
		n = split(req, R, " ")
		for (i = 1; i <= n; i++) if (!visit(R[i])) exit 0
		for (i = 1; i <= cnt; i++) print "P|" order[i] "|" ver[order[i]] "|" size[order[i]]
	}' "$T"
}

# Files of a package (generic names get a program and its copyright).
files_of() {
	if grep -q "^D|$1|" "$T"; then
		awk -F'|' -v p="$1" '$1 == "F" && $2 == p { print $3 "|" $4 }' "$T"
	else
		printf '/usr/bin/%s|250000\n/usr/share/doc/%s/copyright|1800\n' "$1" "$1"
	fi
}

unpack() {
	pkg=$1
	files_of "$pkg" | while IFS='|' read -r path size; do
		mkdir -p "${path%/*}"
		mode=644
		case "$path" in
		*/bin/* | */sbin/* | */libexec/* | */git-core/git*) mode=755 ;;
		esac
		case "$path" in
		/usr/bin/pip | /usr/bin/pip3) printf '#!/bin/sh\n# docktutor stand-in\nexec %s/pip.sh "$@"\n' "$S" >"$path" ;;
		/usr/bin/npm) printf '#!/bin/sh\n# docktutor stand-in\nexec %s/npm.sh "$@"\n' "$S" >"$path" ;;
		*)
			if grep -q "^V|$path|" "$T"; then
				printf '#!/bin/sh\n# docktutor stand-in\nexec %s/program.sh %s "$0" "$@"\n' "$S" "$path" >"$path"
			else
				: >"$path"
			fi
			;;
		esac
		# The rest of the file is its real size in bytes (never run: the wrapper execs first).
		truncate -s "$size" "$path"
		chmod "$mode" "$path"
	done
	awk -F'|' -v p="$pkg" '$1 == "L" && $2 == p { print $3 "|" $4 }' "$T" |
		while IFS='|' read -r link target; do ln -sf "$target" "$link"; done
	mkdir -p "$INFO"
	files_of "$pkg" | cut -d'|' -f1 >"$INFO/$pkg.list"
}

install() {
	header
	if [ $# = 0 ]; then
		echo '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'
		return 0
	fi
	if ! ls "$LISTS" 2>/dev/null | grep -q _Packages; then
		# A fresh image has no package lists: apt knows no package at all.
		inst=$(installed_names)
		for r in "$@"; do
			case "$inst" in *" $r "*) continue ;; esac
			echo "E: Unable to locate package $r" >&2
			return 100
		done
	fi
	p=$(plan "$@")
	case "$p" in
	E\|Unknown\|*)
		echo "E: Unable to locate package ${p#E|Unknown|}" >&2
		return 100
		;;
	E\|NoCandidate\|*)
		rest=${p#E|NoCandidate|}
		name=${rest%%|*}
		by=${rest#*|}
		printf 'Package %s is not available, but is referred to by another package.\nThis may mean that the package is missing, has been obsoleted, or\nis only available from another source\nHowever the following packages replace it:\n  %s\n\n' "$name" "$by"
		echo "E: Package '$name' has no installation candidate" >&2
		return 100
		;;
	esac
	inst=$(installed_names)
	for r in "$@"; do
		case "$inst" in
		*" $r "*)
			v=$(awk -F'|' -v d="$distro" -v p="$r" '$1 == "D" && $2 == p { print (d == "noble") ? $3 : $4 }' "$T")
			[ -n "$v" ] || v=$( [ "$distro" = noble ] && echo 1.0-1build1 || echo 1.0-1)
			echo "$r is already the newest version ($v)."
			;;
		esac
	done
	if [ -z "$p" ]; then
		echo '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'
		return 0
	fi
	names=$(echo "$p" | cut -d'|' -f2 | sort)
	extra=""
	for n in $names; do
		case " $* " in *" $n "*) ;; *) extra="$extra $n" ;; esac
	done
	wrap='{ line = " "; for (i = 1; i <= NF; i++) { if (length(line) + 1 + length($i) > 79 && length(line) > 1) { print line; line = " " } line = line " " $i } print line }'
	if [ -n "$extra" ]; then
		echo 'The following additional packages will be installed:'
		echo $extra | awk "$wrap"
	fi
	echo 'The following NEW packages will be installed:'
	echo $names | awk "$wrap"
	echo "$p" | awk -F'|' "$AWK_SIZE"'
		{ n++; size += $4; down += int($4 / 3) + 1200 }
		END { printf "0 upgraded, %d newly installed, 0 to remove and 0 not upgraded.\nNeed to get %sB of archives.\nAfter this operation, %sB of additional disk space will be used.\n", n, aptsize(down), aptsize(size) }'
	if [ -n "$extra" ] && [ "$yes" = 0 ]; then
		printf 'Do you want to continue? [Y/n] '
		if ! read -r answer; then
			echo 'Abort.'
			return 1
		fi
		case "$answer" in
		"" | y | Y | yes | YES) ;;
		*) echo 'Abort.'; return 1 ;;
		esac
	fi
	pool=$(awk -F'|' -v d="$distro" '$1 == "R" && $2 == d { print $3 }' "$T")
	echo "$p" | awk -F'|' -v pool="$pool" "$AWK_SIZE"'
		{ n++; down += int($4 / 3) + 1200; printf "Get:%d %s %s amd64 %s [%sB]\n", n, pool, $2, $3, aptsize(int($4 / 3) + 1200) }
		END { printf "Fetched %sB in 1s (%sB/s)\n", aptsize(down), aptsize(down) }'
	lists=$(ls "$INFO" 2>/dev/null | grep -c '\.list$')
	base=4381
	[ "$distro" = jessie ] && base=7596
	echo "$p" | awk -F'|' -v db=$((base + lists * 12)) '
		{ printf "Selecting previously unselected package %s.\n", $2
		  if (NR == 1) printf "(Reading database ... %d files and directories currently installed.)\n", db
		  v = $3; gsub(/:/, "%3a", v)
		  printf "Preparing to unpack .../%d-%s_%s_amd64.deb ...\nUnpacking %s (%s) ...\n", NR - 1, $2, v, $2, $3 }'
	echo "$p" | while IFS='|' read -r _ name version size; do
		unpack "$name"
		printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\nInstalled-Size: %d\n\n' \
			"$name" "$version" $(((size + 1023) / 1024)) >>/var/lib/dpkg/status
		echo "Setting up $name ($version) ..."
	done
	echo 'debconf: delaying package configuration, since apt-utils is not installed' >&2
}

case "$op" in
"")
	echo "docktutor: the simulated $prog needs an operation (update, install, upgrade or clean)" >&2
	exit 1
	;;
update) update ;;
install) install "$@" ;;
clean | autoclean) ;;
upgrade | dist-upgrade)
	header
	echo 'Calculating upgrade... Done'
	echo '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'
	;;
autoremove)
	header
	echo '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.'
	;;
remove | purge | source | build-dep | download | check | search | show | list | full-upgrade | policy | changelog)
	echo "docktutor: the simulated $prog does not do \`$op\` yet (update, install, upgrade and clean work)" >&2
	exit 100
	;;
*)
	echo "E: Invalid operation $op" >&2
	exit 100
	;;
esac
