#!/bin/sh
# Runs bench_hot on Magnum's templates extracted (at run time, never committed) from
# Debian's python3-magnum. Usage: bench/hot/run.sh BUILD_DIR [N]
set -eu
build=${1:?usage: run.sh BUILD_DIR [N]}
n=${2:-50}
work=${TMPDIR:-/tmp}/bench-hot-magnum
if [ ! -d "$work/root/usr/lib/python3/dist-packages/magnum/drivers" ]; then
        mkdir -p "$work"
        (cd "$work" && apt-get download python3-magnum >/dev/null && dpkg -x python3-magnum_*.deb root)
fi
exec "$build/bench/hot/bench_hot" "$work/root/usr/lib/python3/dist-packages/magnum/drivers" "$n"
