# Sourced (not run) by the magnum-api tests and benchmark: starts magnum-sim, the simulated
# cloud, on the ports the Keystone catalog names (scripts/lib.sh MC_SIM_*_PORT, written into
# the catalog by scripts/keystone-bootstrap.py), validating tokens against the real Keystone.
# magnum-api then finds Glance/Nova/Neutron through the catalog exactly as in a deployment.
#
# Needs: $MC_STATE_DIR/env sourced, $BUILD, $WORK, the PIDS array.
# sim_start            -> starts the sim (pid appended to PIDS), fails when a port is taken.

SIM_BIN=$BUILD/sim/magnum-sim
SIM_NOVA_PORT=${MC_SIM_NOVA_PORT:-8774}
SIM_NEUTRON_PORT=${MC_SIM_NEUTRON_PORT:-9696}
SIM_GLANCE_PORT=${MC_SIM_GLANCE_PORT:-9292}
SIM_CINDER_PORT=${MC_SIM_CINDER_PORT:-8776}
SIM_OCTAVIA_PORT=${MC_SIM_OCTAVIA_PORT:-9876}
SIM_ADMIN_PORT=${MC_SIM_ADMIN_PORT:-8799}

sim_port_busy() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

sim_start()
{
	[ -x "$SIM_BIN" ] || { echo "SKIP: $SIM_BIN not built"; exit 77; }
	local p
	for p in $SIM_NOVA_PORT $SIM_NEUTRON_PORT $SIM_GLANCE_PORT $SIM_CINDER_PORT \
		$SIM_OCTAVIA_PORT $SIM_ADMIN_PORT; do
		if sim_port_busy "$p"; then
			echo "FAIL: 127.0.0.1:$p (a catalog port of the simulated cloud) is already in use;" \
				"stop that magnum-sim or use other MC_SIM_*_PORT with a private MC_STATE_DIR"
			exit 1
		fi
	done
	mkdir -p "$WORK/sim"
	"$SIM_BIN" --set "sim.state_dir=$WORK/sim" \
		--set "sim.nova_port=$SIM_NOVA_PORT" --set "sim.neutron_port=$SIM_NEUTRON_PORT" \
		--set "sim.glance_port=$SIM_GLANCE_PORT" --set "sim.cinder_port=$SIM_CINDER_PORT" \
		--set "sim.octavia_port=$SIM_OCTAVIA_PORT" --set "sim.admin_port=$SIM_ADMIN_PORT" \
		--set "sim.signal=false" \
		--set "keystone_authtoken.auth_url=$MC_KEYSTONE_URL" \
		--set "keystone_authtoken.username=$MC_SERVICE_USER" \
		--set "keystone_authtoken.password=$MC_PASSWORD" \
		--set "keystone_authtoken.project_name=$MC_SERVICE_PROJECT" \
		>"$WORK/sim.log" 2>&1 &
	PIDS+=($!)
	local i
	for i in $(seq 100); do
		sim_port_busy "$SIM_ADMIN_PORT" && sim_port_busy "$SIM_NOVA_PORT" &&
			sim_port_busy "$SIM_GLANCE_PORT" && sim_port_busy "$SIM_NEUTRON_PORT" && return 0
		sleep 0.1
	done
	echo "FAIL: magnum-sim did not start:"
	cat "$WORK/sim.log"
	exit 1
}
