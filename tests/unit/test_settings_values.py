"""Settings read numbers and yes/no values as strictly as the pydantic model they replace."""

from __future__ import annotations

import dataclasses

import pytest
from clinic_reviews.settings import Settings, SettingsError


def test_numbers_and_yes_no_values_are_read_from_their_text():
    settings = Settings.from_env({"FETCH_CLINICS_PER_BATCH": " 25 ", "COST_EXPLORER": "True", "TABLE_NAME": "t"})
    assert (settings.fetch_clinics_per_batch, settings.cost_explorer, settings.table_name) == (25, True, "t")
    assert Settings.from_env({"COST_EXPLORER": "off"}).cost_explorer is False
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(("name", "text"), [("FETCH_CLINICS_PER_BATCH", "ten"), ("MAX_INLINE_TEXT", "1.5"),
                                            ("COST_EXPLORER", "maybe"), ("COST_EXPLORER", "2")])
def test_a_value_that_cannot_mean_its_type_fails_with_the_variables_name(name, text):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: text})


def test_only_the_declared_variables_are_read_and_settings_stay_as_read():
    settings = Settings.from_env({"TABLE_NAME": "t", "BUS_NAME": "b"}, only=frozenset({"TABLE_NAME"}))
    assert (settings.table_name, settings.bus_name) == ("t", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.table_name = "other"  # type: ignore[misc]
