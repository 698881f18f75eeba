# Simulated meeting rooms for the demo, the service demo and the browser tests: Cisco codecs on
# telnet, on an RS-232 line (a pseudo-terminal) and behind a serial server, a Poly Group Series on
# telnet with two VISCA cameras on a chain and one on VISCA over IP. Source it with $bin set to
# the build's bin folder; it sets $work (removed at exit), writes $work/inventory.yaml, exports
# HNTT_INVENTORY, HNTT_DATA, HNTT_PROFILES and HNTT_PROCEDURES and stores the codecs' credentials.
work="$(mktemp -d /tmp/hntt-demo.XXXXXX)"
pids=()
# Stops everything started here and waits for it (at most 20 s, then SIGKILL) before removing the
# folder: a service still writing its database while the folder goes would leave files behind.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 200); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
}
trap cleanup EXIT

start_sim() {   # start_sim NAME ARGS… ; waits for its endpoints to be printed
  "$bin/hntt-sim" cisco "${@:2}" >"$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/$1.out" ] && break; sleep 0.05; done
}
start_sim ubnd --flavor ce9 --name "UBND-TrieuSon" --account admin:ubnd-secret --telnet 0 --state "$work/ubnd-state.json"
start_sim huyenuy --flavor roomos11 --name "HuyenUy-TrieuSon" --account admin:hu-secret --pty
start_sim hoitruong --flavor tc7 --name "HoiTruong" --account admin:ht-secret --serial-server 0 --no-serial-login
"$bin/hntt-sim" poly --flavor group --name "PhongHop-So2" --password poly-secret --telnet 0 >"$work/poly.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/poly.out" ] && break; sleep 0.05; done
telnet_port=$(sed -n 's/^telnet 127.0.0.1://p' "$work/ubnd.out")
pty_path=$(sed -n 's/^pty //p' "$work/huyenuy.out")
serial_port=$(sed -n 's/^serial-server 127.0.0.1://p' "$work/hoitruong.out")
poly_port=$(sed -n 's/^telnet 127.0.0.1://p' "$work/poly.out")
"$bin/hntt-sim" visca --cameras 2 --pty >"$work/cams.out" 2>&1 &
pids+=($!)
"$bin/hntt-sim" visca --udp 0 >"$work/ipcam.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/cams.out" ] && [ -s "$work/ipcam.out" ] && break; sleep 0.05; done
chain_path=$(sed -n 's/^pty //p' "$work/cams.out")
ipcam_port=$(sed -n 's/^udp 127.0.0.1://p' "$work/ipcam.out")

cat >"$work/inventory.yaml" <<YAML
site:
  name: "UBND xã Triệu Sơn"
  parent: "UBND tỉnh Thanh Hóa"
  tier: commune
  place: "Triệu Sơn"
  authority: "Sở Khoa học và Công nghệ tỉnh Thanh Hóa"
  signer: {name: "Nguyễn Văn D", position: "Phó Chủ tịch", form: "KT.", for: "Chủ tịch"}
  recipients: ["Chủ tịch, các Phó Chủ tịch UBND xã"]
organizers:
  "UBND tỉnh": "Văn phòng HĐND và UBND xã"
  "UBND xã": "Văn phòng HĐND và UBND xã"
  "Tỉnh ủy": "Văn phòng Đảng ủy xã"
rooms:
  - id: ubnd
    name: "Phòng họp trực tuyến UBND xã"
    unit: "Văn phòng HĐND và UBND xã"
    devices:
      - id: ubnd-codec
        profile: cisco-roomos
        transport: telnet
        host: 127.0.0.1
        port: $telnet_port
        credential: ubnd-codec
  - id: huyen-uy
    name: "Phòng họp trực tuyến Đảng ủy xã"
    unit: "Văn phòng Đảng ủy xã"
    devices:
      - id: huyenuy-codec
        profile: cisco-roomos
        transport: serial
        path: $pty_path
        credential: huyenuy-codec
  - id: hoi-truong
    name: "Hội trường"
    unit: "Văn phòng HĐND và UBND xã"
    devices:
      - id: hoitruong-codec
        profile: cisco-roomos
        transport: tcp
        host: 127.0.0.1
        port: $serial_port
  - id: phong-2
    name: "Phòng họp số 2 (Poly)"
    unit: "Văn phòng HĐND và UBND xã"
    devices:
      - id: phong2-poly
        profile: poly-group
        transport: telnet
        host: 127.0.0.1
        port: $poly_port
        credential: phong2-poly
      - {id: phong2-cam-left, profile: sony-visca, transport: serial, path: $chain_path, address: 1}
      - {id: phong2-cam-right, profile: sony-visca, transport: serial, path: $chain_path, address: 2}
      - {id: phong2-cam-ip, profile: sony-visca, transport: udp, host: 127.0.0.1, port: $ipcam_port}
YAML

export HNTT_INVENTORY="$work/inventory.yaml" HNTT_DATA="$work/data" HNTT_PROFILES="$PWD/device-profiles" HNTT_PROCEDURES="$PWD/procedures"
printf '%s' ubnd-secret | "$bin/hntt" secret set ubnd-codec --username admin --password-stdin
printf '%s' hu-secret | "$bin/hntt" secret set huyenuy-codec --username admin --password-stdin
printf '%s' poly-secret | "$bin/hntt" secret set phong2-poly --username admin --password-stdin
