"""Copy the reference data the product needs into the repository.

Users' machines have no ``../shared``; run this when the shared data changes:

    .venv/bin/python scripts/vendor_data.py

It copies the law texts with their source README, and derives the GB/T 2260
region-code table from python-stdnum's ``loc.dat`` (which records when each
code was valid), keeping a README that names both sources.
"""

import csv
import re
import shutil
from pathlib import Path

import stdnum.cn

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
LAWS_OUT = ROOT / "fazhi" / "laws" / "data"
REGIONS_OUT = ROOT / "fazhi" / "core" / "data"

NAME_RE = re.compile(r"(?:\[(\d{4})?-(\d{4})?\])?(.+)")


def vendor_laws() -> None:
    target = LAWS_OUT / "laws"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SHARED / "laws", target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    shutil.copy(SHARED / "README.md", LAWS_OUT / "README.md")
    (LAWS_OUT / "README.md").chmod(0o644)
    print(f"laws: {len(list(target.glob('*.md')))} files -> {target.relative_to(ROOT)}")


def vendor_regions() -> None:
    loc = Path(stdnum.cn.__file__).parent / "loc.dat"
    rows: list[tuple[str, str, str, str]] = []
    province = ""
    for line in loc.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            code2, attr = line.split(" ", 1)
            province = code2
            continue
        suffix, attr = line.strip().split(" ", 1)
        value = attr.split("=", 1)[1].strip('"')
        for part in value.split(","):
            match = NAME_RE.fullmatch(part.strip())
            if not match:
                continue
            valid_from, valid_to, name = match.groups()
            rows.append((province + suffix, name, valid_from or "", valid_to or ""))
    REGIONS_OUT.mkdir(parents=True, exist_ok=True)
    with (REGIONS_OUT / "regions.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name", "valid_from_year", "valid_to_year"])
        writer.writerows(rows)
    print(f"regions: {len(rows)} rows -> fazhi/core/data/regions.csv")


if __name__ == "__main__":
    vendor_laws()
    vendor_regions()
