"""Every function's environment in template.yaml is exactly what its handler declares (@requires), and a
declared variable that is missing fails the first invocation with its name."""

from __future__ import annotations

import importlib

import pytest
from clinic_reviews import container
from clinic_reviews.settings import LIBRARY_PREFIXES, SettingsError, get_settings, requires
from clinic_reviews_local.template import load_template, project_root


def _functions() -> dict[str, dict]:
    template = load_template(project_root() / "template.yaml")
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _environment(properties: dict) -> set[str]:
    template = load_template(project_root() / "template.yaml")
    globals_env = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    own = (properties.get("Environment") or {}).get("Variables", {})
    return {name for name in {*globals_env, *own} if not name.startswith(LIBRARY_PREFIXES)}


def _declared(handler_path: str) -> frozenset[str]:
    module_name, _, attribute = handler_path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    declared = getattr(handler, "required_settings", None)
    assert declared is not None, f"{handler_path} declares no settings: decorate it with @requires(...)"
    return declared


@pytest.mark.parametrize("function", sorted(_functions()))
def test_the_template_gives_each_function_exactly_what_its_handler_declares(function):
    properties = _functions()[function]
    declared = _declared(properties["Handler"])
    given = _environment(properties)
    assert not declared - given, f"{function} lacks {', '.join(sorted(declared - given))} in template.yaml"
    assert not given - declared, f"{function} is given {', '.join(sorted(given - declared))}, which its handler never reads"


def test_an_optional_setting_is_read_when_set_and_never_required():
    @requires("TABLE_NAME", optional=("CONSOLE_DEV_PASSWORD",))
    def handler(event, context):
        return get_settings().console_dev_password

    with container.running(container.Container("a", {"TABLE_NAME": "t"})):
        assert handler({}, None) is None
    with container.running(container.Container("b", {"TABLE_NAME": "t", "CONSOLE_DEV_PASSWORD": "pw"})):
        assert handler({}, None) == "pw"


def test_globals_give_every_function_only_what_libraries_read():
    template = load_template(project_root() / "template.yaml")
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert all(name.startswith(LIBRARY_PREFIXES) for name in variables), sorted(variables)


def _handler_needing_table_and_bus():
    @requires("TABLE_NAME", "BUS_NAME")
    def handler(event, context):
        return get_settings().require("table_name"), get_settings().archive_bucket

    return handler


def test_a_missing_variable_fails_the_cold_start_with_its_name():
    handler = _handler_needing_table_and_bus()
    with container.running(container.Container("fn", {"TABLE_NAME": "t"})), pytest.raises(SettingsError, match="BUS_NAME"):
        handler({}, None)


def test_a_function_reads_only_what_it_declared():
    handler = _handler_needing_table_and_bus()
    environ = {"TABLE_NAME": "t", "BUS_NAME": "b", "ARCHIVE_BUCKET": "not-declared"}
    with container.running(container.Container("fn", environ)):
        assert handler({}, None) == ("t", None)


def test_each_container_keeps_its_own_settings():
    with container.running(container.Container("a", {"TABLE_NAME": "a-table"})):
        assert get_settings().table_name == "a-table"
    with container.running(container.Container("b", {"TABLE_NAME": "b-table"})):
        assert get_settings().table_name == "b-table"


def test_declaring_a_variable_no_setting_reads_is_refused():
    with pytest.raises(ValueError, match="NO_SUCH_VARIABLE"):
        requires("NO_SUCH_VARIABLE")
