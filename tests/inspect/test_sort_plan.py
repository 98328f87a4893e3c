"""The sort plan: the packaged sample loads, 5-digit entries win, malformed plans name their line."""

from __future__ import annotations

from pathlib import Path

import pytest
import zipcodes

from mailpiece.inspect.sort_plan import SortPlan


def test_sample_plan_loads_and_routes_by_scf_and_zip5() -> None:
    plan = SortPlan.load()
    assert plan.reject_bin == "R01" and plan.default_bin == "B00"
    assert plan.bin_for("06105") == "B03", "Connecticut SCF 061"
    assert plan.bin_for("06103") == "B22", "its own 5-digit entry wins over SCF 061"
    assert plan.bin_for("10001") == "B24" and plan.bin_for("10002") == "B05"
    assert plan.bin_for("90210") == "B18"
    assert plan.bin_for("09001") == "B19", "military AE"
    assert plan.bin_for("00100") == "B00", "an SCF the plan does not list gets the default bin"
    assert 20 <= len(plan.bins) <= 30


def test_sample_plan_gives_every_directory_state_a_real_bin() -> None:
    plan = SortPlan.load()
    defaulted = {
        z["zip_code"] for z in zipcodes.list_all() if plan.bin_for(z["zip_code"]) == plan.default_bin
    }
    assert not defaulted, sorted(defaulted)[:20]


def test_plan_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("prefix,bin\n*,DEF\nreject,REJ\n100-102,NYC\n10101,ONE\n# note\n\n")
    plan = SortPlan.load(path)
    assert [plan.bin_for(z) for z in ("10050", "10101", "10250", "10350")] == ["NYC", "ONE", "NYC", "DEF"]
    assert plan.to_dict()["by_zip5"] == {"10101": "ONE"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prefix,bin\n*,B0\nreject,R\n12,B1\n", "line 4: prefix '12'"),
        ("prefix,bin\n*,B0\nreject,R\n100,B1\n100,B2\n", "line 5: prefix 100 already has bin B1"),
        ("prefix,bin\n*,B0\nreject,R\n100-099,B1\n", "line 4: range 100-099 runs backwards"),
        ("prefix,bin\n*,B0\nreject,R\n100,B 1\n", "line 4: bin name"),
        ("prefix,bin\n*,B0\n\nreject\n", "line 4: expected 'prefix,bin'"),
        ("zip,bin\n*,B0\n", "line 1: the first row must be the header"),
        ("prefix,bin\n*,B0\n", "needs a header and rows for reject"),
        ("", "needs a header"),
    ],
)
def test_malformed_plans_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SortPlan.parse(text, source="plan.csv")


def test_bad_zip_and_missing_file_are_value_errors(tmp_path: Path) -> None:
    plan = SortPlan.load()
    for bad in ("0610", "061033", "O6103", ""):
        with pytest.raises(ValueError, match="5-digit"):
            plan.bin_for(bad)
    with pytest.raises(ValueError, match="cannot read sort plan"):
        SortPlan.load(tmp_path / "missing.csv")
