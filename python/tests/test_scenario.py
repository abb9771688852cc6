"""Scenarios: presets, reading and setting keys, and the located errors (as the CLI's)."""

import pytest

import scslab


def test_presets_are_listed_with_descriptions():
    names = [n for n, _ in scslab.presets()]
    assert names[:2] == ["none", "china-2020"]
    assert all(d for _, d in scslab.presets())


def test_keys_are_read_and_set_and_checked():
    sc = scslab.Scenario.preset("china-2020")
    assert sc.name == "china-2020" and sc.origin == "preset:china-2020"
    assert isinstance(sc["behaviour.fear_perception"], float)
    sc["behaviour.fear_perception"] = 0.4
    assert sc["behaviour.fear_perception"] == 0.4
    assert "fear_perception = 0.4" in sc.to_toml()
    # The text round-trips through the reader: a scenario from it reads the same value.
    again = scslab.Scenario.from_toml(sc.to_toml())
    assert again["behaviour.fear_perception"] == 0.4
    assert again == sc
    assert "behaviour.fear_perception" in sc and "behaviour.nope" not in sc


def test_a_refused_value_raises_a_located_error_and_changes_nothing():
    sc = scslab.Scenario.preset("china-2020")
    before = sc.to_toml()
    with pytest.raises(scslab.ScenarioError) as info:
        sc["behaviour.fear_perception"] = "high"
    e = info.value
    assert e.file.startswith("preset:china-2020") and e.line > 1 and e.column > 1
    assert e.expected == "f64"
    assert sc.to_toml() == before
    assert isinstance(e, ValueError)


def test_an_unknown_key_lists_the_valid_choices():
    sc = scslab.Scenario.preset("none")
    with pytest.raises(scslab.ScenarioError) as info:
        sc["behaviour.fear_perceptionn"] = 1.0
    assert "fear_perception" in info.value.choices
    assert "unknown field" in info.value.message


def test_reading_a_missing_key_is_a_key_error_with_choices():
    sc = scslab.Scenario.preset("none")
    with pytest.raises(KeyError, match="valid choices under `behaviour`.*behaviour.fear_perception"):
        sc["behaviour.nope"]


def test_an_unknown_preset_lists_the_presets():
    with pytest.raises(scslab.ScenarioError) as info:
        scslab.Scenario.preset("chinaa")
    assert "china-2020" in info.value.choices and "none" in info.value.choices


def test_a_bad_file_gives_the_clis_located_message(tmp_path, cli):
    text = scslab.Scenario.preset("none").to_toml().replace(
        "fear_perception = ", "fear_perception = -", 1
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(scslab.ScenarioError) as info:
        scslab.Scenario.from_toml(path)
    e = info.value
    assert e.file == str(path)
    located = f"{e.file}:{e.line}:{e.column}: {e.message}"
    shown = cli("scenario", "validate", path, check=False)
    assert shown.returncode != 0
    assert located in shown.stdout + shown.stderr
    # The rendered form is the CLI's (message, excerpt, caret).
    assert e.rendered.splitlines()[0] in shown.stdout + shown.stderr


def test_wrong_types_raise_type_errors():
    sc = scslab.Scenario.preset("none")
    with pytest.raises(TypeError):
        sc["behaviour.fear_perception"] = object()


def test_impossible_sizes_are_refused_before_running():
    with pytest.raises(scslab.ScenarioError, match="people: expected between 1 and"):
        scslab.run("none", people=0, days=5)
    with pytest.raises(scslab.ScenarioError, match="days: expected between 1 and"):
        scslab.run("none", people=100, days=0)
    with pytest.raises(scslab.RunError) as info:
        scslab.run("none", people=100, days=5, threads=100_000)
    assert info.value.kind == "threads"
