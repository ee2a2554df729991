"""Compiled templates kept between processes (notify/rendering.py): a new environment loads them instead of
compiling, the code is what a compile gives, and a change of the environment's options compiles again."""

from __future__ import annotations

from clinic_reviews.notify import rendering
from jinja2 import Environment


def _compiles(monkeypatch) -> list[str]:
    seen: list[str] = []
    compile_ = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    return seen


def _code(env: Environment, name: str):
    code = env.get_template(name).root_render_func.__code__
    return code.co_code, code.co_consts, code.co_names


def test_a_new_environment_loads_the_compiled_templates(tmp_path, monkeypatch):
    names = rendering.environment().list_templates()
    first = rendering.build_environment(rendering.compiled_templates(str(tmp_path)))
    compiled = {name: _code(first, name) for name in names}
    seen = _compiles(monkeypatch)
    again = rendering.build_environment(rendering.compiled_templates(str(tmp_path)))
    assert {name: _code(again, name) for name in names} == compiled and seen == []
    fresh = rendering.build_environment(None)  # what compiling gives (HTML autoescaped, text not)
    assert {name: _code(fresh, name) for name in names} == compiled and sorted(seen) == sorted(names)


def test_changed_options_compile_again(tmp_path, monkeypatch):
    rendering.build_environment(rendering.compiled_templates(str(tmp_path))).get_template("digest.html.j2")
    monkeypatch.setattr(rendering, "options_digest", lambda: "changed-options")  # rendering.py edited
    seen = _compiles(monkeypatch)
    rendering.build_environment(rendering.compiled_templates(str(tmp_path))).get_template("digest.html.j2")
    assert seen == ["digest.html.j2"]


def test_a_cache_that_cannot_be_read_or_written_only_compiles(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    env = rendering.build_environment(rendering.compiled_templates(str(not_a_folder)))
    assert _code(env, "alert_sms.txt.j2") == _code(rendering.build_environment(None), "alert_sms.txt.j2")
