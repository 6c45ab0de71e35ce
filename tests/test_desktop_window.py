"""Focused-window probes: the platform backends and the no-op fallback."""


def test_window_probes_fall_back_to_the_no_op_off_their_platform(monkeypatch):
    from assistant.desktop.window import MacWindowProbe, NoWindowProbe, WindowsWindowProbe, best_window_probe

    monkeypatch.delenv("DISPLAY", raising=False)
    assert not MacWindowProbe.supported() and not WindowsWindowProbe.supported()
    probe = best_window_probe()
    assert isinstance(probe, NoWindowProbe) and probe.focused() == (0, "")
