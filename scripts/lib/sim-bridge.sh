# The province's conference bridges for the demos: a simulated Cisco Meeting Server and a Polycom RMX over
# HTTPS (each with its own certificate, pinned in the inventory by its SHA-256 fingerprint), in a room `tinh`
# of the UBND's unit; the UBND codec's SIP URI is one of the CMS's sites. Source it after sim-rooms.sh.
start_bridge() {   # start_bridge NAME ARGS… ; sets NAME_port and NAME_fingerprint
  "$bin/hntt-sim" "$1" --https 0 --cert-dir "$work/$1-cert" "${@:2}" >"$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q '^fingerprint ' "$work/$1.out" 2>/dev/null && break; sleep 0.05; done
  local port fingerprint
  port=$(sed -n 's/^https 127.0.0.1://p' "$work/$1.out")
  fingerprint=$(sed -n 's/^fingerprint //p' "$work/$1.out")
  [ -n "$port" ] && [ -n "$fingerprint" ] || { cat "$work/$1.out" >&2; exit 1; }
  printf -v "$1_port" '%s' "$port"
  printf -v "$1_fingerprint" '%s' "$fingerprint"
}
start_bridge cms --account api:cms-secret --sites 6 --site-uri ubnd-trieuson@thanhhoa.gov.vn
start_bridge rmx --account POLYCOM:rmx-secret --sites 4
# The room goes before the first top-level key after `rooms:` (or at the end).
python3 - "$work/inventory.yaml" "$cms_port" "$cms_fingerprint" "$rmx_port" "$rmx_fingerprint" <<'PY'
import sys
path, port, fingerprint, rmx_port, rmx_fingerprint = sys.argv[1:]
lines = open(path, encoding="utf-8").read().split("\n")
start = lines.index("rooms:")
end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")), len(lines))
lines[end:end] = [
    "  - id: tinh",
    '    name: "Cầu hội nghị của tỉnh (MCU)"',
    '    unit: "Văn phòng HĐND và UBND xã"',
    "    devices:",
    f'      - {{id: tinh-cms, profile: cisco-cms, transport: https, host: 127.0.0.1, port: {port}, '
    f'credential: tinh-cms, tls_fingerprint: "{fingerprint}"}}',
    f'      - {{id: tinh-rmx, profile: polycom-rmx, transport: https, host: 127.0.0.1, port: {rmx_port}, '
    f'credential: tinh-rmx, tls_fingerprint: "{rmx_fingerprint}"}}',
]
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
printf '%s' cms-secret | "$bin/hntt" secret set tinh-cms --username api --password-stdin
printf '%s' rmx-secret | "$bin/hntt" secret set tinh-rmx --username POLYCOM --password-stdin
