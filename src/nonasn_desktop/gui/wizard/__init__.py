"""The registration wizard: Qt pages over the Qt-free flow of the portal's 24 steps."""

from __future__ import annotations

from nonasn_desktop.gui.wizard.window import WizardWindow

__all__ = ["WizardWindow"]
