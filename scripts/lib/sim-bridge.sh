# The province's conference bridge for the demos: a simulated Cisco Meeting Server over HTTPS (its own
# certificate, pinned in the inventory by its SHA-256 fingerprint), in a room `tinh` of the UBND's unit,
# with the UBND codec's SIP URI as one of its sites. Source it after scripts/lib/sim-rooms.sh.
"$bin/hntt-sim" cms --https 0 --cert-dir "$work/cms-cert" --account api:cms-secret --sites 6 \
  --site-uri ubnd-trieuson@thanhhoa.gov.vn >"$work/cms.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do grep -q '^fingerprint ' "$work/cms.out" 2>/dev/null && break; sleep 0.05; done
cms_port=$(sed -n 's/^https 127.0.0.1://p' "$work/cms.out")
cms_fingerprint=$(sed -n 's/^fingerprint //p' "$work/cms.out")
[ -n "$cms_port" ] && [ -n "$cms_fingerprint" ] || { cat "$work/cms.out" >&2; exit 1; }
# The room goes before the first top-level key after `rooms:` (or at the end).
python3 - "$work/inventory.yaml" "$cms_port" "$cms_fingerprint" <<'PY'
import sys
path, port, fingerprint = sys.argv[1:]
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
]
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
printf '%s' cms-secret | "$bin/hntt" secret set tinh-cms --username api --password-stdin
