"""The wizard's pages, one per ``kind = "page"`` step of forms/steps.toml."""

from __future__ import annotations

from nonasn_desktop.gui.wizard.pages.account import (
    AccountCreatedPage,
    CaptchaPage,
    DocumentsPage,
    IdentityPage,
    IntroPage,
    PasswordPage,
    ReviewPage,
    RosterPage,
)
from nonasn_desktop.gui.wizard.pages.base import PageHost, WizardPage
from nonasn_desktop.gui.wizard.pages.parts import ProblemsPanel
from nonasn_desktop.gui.wizard.pages.registration import (
    DeclarationPage,
    DonePage,
    LoginPage,
    ResumePage,
    WorkHistoryPage,
)
from nonasn_desktop.policy import Step

PAGE_CLASSES: dict[int, type[WizardPage]] = {
    1: IntroPage,
    2: IdentityPage,
    3: RosterPage,
    5: PasswordPage,
    6: DocumentsPage,
    7: CaptchaPage,
    9: ReviewPage,
    12: AccountCreatedPage,
    13: LoginPage,
    16: CaptchaPage,
    17: WorkHistoryPage,
    19: ResumePage,
    21: DeclarationPage,
    24: DonePage,
}


def make_page(host: PageHost, step: Step) -> WizardPage:
    """The page for a step: its own class, a captcha page, or the generic form page."""
    cls = PAGE_CLASSES.get(step.number)
    if cls is None:
        cls = CaptchaPage if "captcha" in step.fields else WizardPage
    return cls(host, step)


__all__ = ["PAGE_CLASSES", "PageHost", "ProblemsPanel", "WizardPage", "make_page"]
