# Sourced by the SSH benchmarks: N simulated Cisco codecs behind one real sshd on 127.0.0.1
# (every SSH session runs its own simulator through ForceCommand), an inventory of them, and the
# credential stored. Needs root, $n and $bin set; sets $work, $port, $fingerprint, $user, $password.
work="$(mktemp -d /tmp/hntt-bench-ssh.XXXXXX)"; chmod 755 "$work"
sshd_pid=""
cleanup() { [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

user=hnttsim; password='Bench-Pass-2026!'
id "$user" >/dev/null 2>&1 || useradd -M -s /bin/sh -d /tmp "$user"
echo "$user:$password" | chpasswd
cp "$bin/hntt-sim" "$work/hntt-sim"; chmod 755 "$work/hntt-sim"
mkdir -p /run/sshd; chmod 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/host_ed25519"
fingerprint=$(ssh-keygen -lf "$work/host_ed25519.pub" | awk '{print $2}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_ed25519
PidFile $work/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
AllowUsers $user
MaxStartups 1000:30:2000
MaxSessions 100
LogLevel ERROR
ForceCommand $work/hntt-sim cisco --stdio --flavor ce9
CFG
/usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.05; done

{
  echo 'site: bench'; echo 'rooms:'; echo '  - id: bench'; echo '    name: bench'; echo '    unit: bench'; echo '    devices:'
  for i in $(seq 1 "$n"); do
    echo "      - {id: codec-$i, profile: cisco-roomos, transport: ssh, host: 127.0.0.1, port: $port, credential: bench, host_key: \"$fingerprint\"}"
  done
} >"$work/inventory.yaml"
export HNTT_INVENTORY="$work/inventory.yaml" HNTT_DATA="$work/data" HNTT_PROFILES="$PWD/device-profiles"
printf '%s' "$password" | "$bin/hntt" secret set bench --username "$user" --password-stdin >/dev/null
