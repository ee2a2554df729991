"""Compiled templates kept between runs of the local stack (infra/local compiled_templates.py): a new environment
loads them instead of compiling, the code is what a compile gives, a change of the environment's options compiles
again, and a folder that cannot be used only compiles."""

from __future__ import annotations

from clinic_reviews.notify.rendering import environment
from clinic_reviews_local import compiled_templates
from jinja2 import Environment


def _compiles(monkeypatch) -> list[str]:
    seen: list[str] = []
    compile_ = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    return seen


def _fresh(cache) -> Environment:
    """The messages' environment as a new process has it (no template loaded), with `cache`."""
    return environment().overlay(bytecode_cache=cache, cache_size=400)


def _code(env: Environment, name: str):
    code = env.get_template(name).root_render_func.__code__
    return code.co_code, code.co_consts, code.co_names


def test_a_new_environment_loads_the_compiled_templates(tmp_path, monkeypatch):
    names = environment().list_templates()
    first = _fresh(compiled_templates.bytecode_cache(tmp_path))
    compiled = {name: _code(first, name) for name in names}
    seen = _compiles(monkeypatch)
    again = _fresh(compiled_templates.bytecode_cache(tmp_path))
    assert {name: _code(again, name) for name in names} == compiled and seen == []
    fresh = _fresh(None)  # what compiling gives (HTML autoescaped, text not)
    assert {name: _code(fresh, name) for name in names} == compiled and sorted(seen) == sorted(names)


def test_changed_options_compile_again(tmp_path, monkeypatch):
    _fresh(compiled_templates.bytecode_cache(tmp_path)).get_template("digest.html.j2")
    monkeypatch.setattr(compiled_templates, "options_digest", lambda: "changed")  # notify/rendering.py edited
    seen = _compiles(monkeypatch)
    _fresh(compiled_templates.bytecode_cache(tmp_path)).get_template("digest.html.j2")
    assert seen == ["digest.html.j2"]


def test_a_cache_that_cannot_be_read_or_written_only_compiles(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    env = _fresh(compiled_templates.bytecode_cache(not_a_folder))
    assert _code(env, "alert_sms.txt.j2") == _code(_fresh(None), "alert_sms.txt.j2")
