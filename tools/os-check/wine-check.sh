#!/bin/sh
# The Windows print path run under Wine, by hand (not in CI): the test page is printed
# through PrintDlgW and GDI to a CUPS queue whose "printer" is a socket this script
# listens on, then the PostScript Wine sent is rendered with Ghostscript and measured.
# Checks: the job asks for A3 (the DEVMODE preset; the queue's default is A4), the
# 100 mm square measures 100 mm (true size), and a printer named like a PDF writer is
# refused. Wine is not Windows: real drivers and the real dialog remain unchecked.
#
# Needs (Debian): wine wine64 gcc-mingw-w64-x86-64 cups cups-client cups-bsd ghostscript
# netcat-openbsd xvfb xdotool python3-pil, and `rustup target add x86_64-pc-windows-gnu`.
# Run as root from the repository: tools/os-check/wine-check.sh
set -eu
target=${CARGO_TARGET_DIR:-target}
work=$(mktemp -d)
CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    cargo build -q -p kenshin-os-check --example test_page --target x86_64-pc-windows-gnu
cp "$target/x86_64-pc-windows-gnu/debug/examples/test_page.exe" "$work/"
# Rust's std asks for ProcessPrng (bcryptprimitives.dll), which Wine 8 lacks.
cat > "$work/stub.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE d, SIZE_T n) { return SystemFunction036(d, (ULONG)n); }
C
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" "$work/stub.c" -ladvapi32
pgrep cupsd >/dev/null || cupsd
sleep 1
lpadmin -p A3Laser -E -v socket://127.0.0.1:9100 -m drv:///sample.drv/generic.ppd -o PageSize=A4 2>/dev/null
lpadmin -p PDF-Writer -E -v socket://127.0.0.1:9101 -m drv:///sample.drv/generic.ppd 2>/dev/null
lpadmin -d A3Laser
Xvfb :78 -screen 0 1280x1024x24 >/dev/null 2>&1 &
xvfb=$!
nc -l 9100 > "$work/job.ps" &
listener=$!
export DISPLAY=:78 WINEPREFIX="$work/prefix" WINEDEBUG=-all
wineboot -i >/dev/null 2>&1 || true
# The dialog opens at the same place under Wine: its OK button is clicked.
print() { (cd "$work" && wine test_page.exe) > "$work/out.txt" 2>&1 & p=$!; sleep 15; xdotool mousemove 407 330 click 1; wait $p || true; cat "$work/out.txt"; }
print
# The listener ends when CUPS has sent the whole job.
for _ in $(seq 120); do kill -0 $listener 2>/dev/null || break; sleep 1; done
grep -a -q 'PageSize A3' "$work/job.ps"
echo "ok: the job asks for A3"
gs -q -dNOPAUSE -dBATCH -sDEVICE=png16m -r100 -dAutoRotatePages=/None -sOutputFile="$work/page.png" "$work/job.ps"
python3 - "$work/page.png" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB"); w, h = im.size; px = im.load()
red = [(x, y) for y in range(h) for x in range(w) if px[x, y][0] > 180 and px[x, y][1] < 80 and px[x, y][2] < 80]
side = (max(x for x, _ in red) - min(x for x, _ in red) + 1) / 100 * 25.4
print(f"the 100 mm square measures {side:.1f} mm")
sys.exit(0 if abs(side - 100) < 1 else 1)
PY
lpadmin -d PDF-Writer
print | grep -q 'ファイルに書き出す'
echo "ok: PDF-Writer refused"
lpadmin -d A3Laser
wineserver -k || true
kill $xvfb
rm -rf "$work"
