"""The shipped rule sets load and validate: every limit a concentration of a known parameter,
every rule set with its legal source, verification marked; and broken data stops the load."""

from __future__ import annotations

import pytest

from sidestream.adapters.datasets.files import read_data_csv
from sidestream.adapters.datasets.regulation import build_regulation_data, load_regulation_data
from sidestream.domain.errors import ReferenceDataError
from sidestream.domain.regulation import Basis


def test_the_shipped_rule_sets_load_with_their_sources() -> None:
    data = load_regulation_data()
    assert set(data.rule_sets) == {
        "eu_landfill_inert",
        "eu_landfill_non_hazardous",
        "eu_landfill_hazardous",
    }
    for rule_set in data.rule_sets.values():
        assert "2003/33/EC" in rule_set.legal_source and rule_set.source_locator
        assert rule_set.limits
    inert = data.rule_set("eu_landfill_inert")
    limits = {(limit.parameter_code, limit.basis): limit for limit in inert.limits}
    # Hand-checked against the Decision's Annex, 2.1.2.1 (L/S 10 l/kg, mg/kg dry substance).
    arsenic = limits[("arsenic", Basis.LEACHING_LS10)]
    assert (arsenic.limit_value, arsenic.unit, arsenic.is_verified) == (0.5, "mg/kg", True)
    assert limits[("chloride", Basis.LEACHING_LS10)].limit_value == 800
    assert limits[("cadmium", Basis.LEACHING_LS2)].limit_value == 0.03
    assert not limits[("toc", Basis.TOTAL)].is_verified  # shown as unverified
    assert not data.rule_set("eu_landfill_non_hazardous").is_verified
    assert inert.in_force_from.isoformat() == "2004-07-16"


def _rows() -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    return (
        read_data_csv("reference/regulation_parameters.csv"),
        read_data_csv("reference/regulation_rule_sets.csv"),
        read_data_csv("reference/regulation_limit_values.csv"),
    )


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (1, {"legal_source": ""}, "legal source"),
        (2, {"unit": "mg/l"}, "not a unit of concentration"),
        (2, {"parameter_code": "unobtainium"}, "unknown parameter"),
        (2, {"verification": "probably"}, "verified or unverified"),
        (2, {"basis": "leaching_ls5"}, "is not a basis"),
        (2, {"limit_value": "lots"}, "is not a number"),
        (2, {"rule_set_id": "nowhere"}, "unknown rule set"),
    ],
)
def test_broken_rule_set_data_stops_the_load(
    table: int, change: dict[str, str], message: str
) -> None:
    tables = _rows()
    tables[table][0] = tables[table][0] | change
    with pytest.raises(ReferenceDataError, match=message):
        build_regulation_data(*tables)
