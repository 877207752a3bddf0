#!/bin/sh
# docktutor stand-in for a program a package installed (git, curl, node, python3 …): this
# offline image has only its --version, as the simulator does.
T=/usr/share/docktutor-standin/packages.txt
path=$1
name=${2##*/}
shift 2
case "$1" in
--version | -V)
	awk -F'|' -v p="$path" '$1 == "V" && $2 == p { print $3 }' "$T"
	;;
*)
	echo "docktutor: this offline \`$name\` only answers --version" >&2
	exit 126
	;;
esac
