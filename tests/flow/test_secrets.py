"""The flow's argon2id work, prepared apart from the flow and answered from what was prepared."""

from __future__ import annotations

from collections.abc import Callable

from nonasn_desktop.crypto.passwords import normalise_answer, verify_secret
from nonasn_desktop.flow.machine import RegistrationFlow
from nonasn_desktop.flow.secrets import PreparedSecrets, SecretWork, advance_work
from nonasn_desktop.flow.state import RegistrationState


def test_prepared_results_answer_first_then_the_real_functions() -> None:
    calls: list[str] = []
    secrets = PreparedSecrets(
        hasher=lambda s: calls.append(s) or f"real:{s}",
        verifier=lambda h, s: calls.append(s) or False,
    )
    results = SecretWork(to_hash=("a", "a"), to_verify=()).run()
    secrets.fill(results)
    first, second = secrets.hash("a"), secrets.hash("a")
    assert first != second  # each hash has its own salt
    assert verify_secret(first, "a")
    assert calls == []
    assert secrets.hash("a") == "real:a"  # nothing prepared left
    assert calls == ["a"]


def test_clear_forgets_what_was_prepared() -> None:
    secrets = PreparedSecrets(hasher=lambda s: "real", verifier=lambda h, s: False)
    hashed = SecretWork(to_hash=("b",)).run().hashes["b"][0]
    secrets.fill(SecretWork(to_hash=("b",), to_verify=((hashed, "b"),)).run())
    secrets.clear()
    assert secrets.hash("b") == "real"
    assert secrets.verify(hashed, "b") is False


def test_only_a_passable_password_step_has_work(make_flow: Callable[..., RegistrationFlow]) -> None:
    flow = make_flow(state=RegistrationState(current_step=5))
    assert flow.current_step == 5
    assert not advance_work(flow)  # nothing typed yet: advance() would refuse, not hash
    for key, raw in {
        "kata_sandi": "Rahasia2022",
        "kata_sandi_ulang": "Rahasia2022",
        "pertanyaan_pengaman": "kota_orang_tua",
        "jawaban_pengaman": "  Bandung ",
    }.items():
        flow.set_value(key, raw)
    work = advance_work(flow)
    assert work.to_hash == ("Rahasia2022", normalise_answer("  Bandung "))
    assert work.to_verify == ()
