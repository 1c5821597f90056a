"""The wizard's style sheet, laid over the application's (``gui/theme.py``)."""

from __future__ import annotations

from nonasn_desktop.gui import theme

_T = theme
WIZARD_STYLE = f"""
QWidget#wizard_central {{ background: {_T.WINDOW}; }}
QScrollArea#step_rail, QWidget#step_rail_inner {{
    background: #E8EDF3;
}}
QScrollArea#step_rail {{ border-right: 1px solid {_T.BORDER}; }}
QLabel[role="rail_phase"] {{
    color: {_T.NAVY}; font-weight: 600; padding: 4px 4px 2px 6px;
    border-bottom: 2px solid {_T.GOLD};
}}
QFrame[role="rail_page_current"], QFrame[role="rail_sub_current"] {{
    background: {_T.BASE}; border-left: 3px solid {_T.NAVY}; border-radius: 3px;
}}
QFrame[role="rail_page_done"], QFrame[role="rail_page_todo"], QFrame[role="rail_page_skipped"],
QFrame[role="rail_sub_done"], QFrame[role="rail_sub_todo"], QFrame[role="rail_sub_skipped"] {{
    border-left: 3px solid transparent;
}}
QLabel[role="badge_done"] {{ background: {_T.OK}; color: #FFFFFF; font-weight: 600; }}
QLabel[role="badge_current"] {{ background: {_T.NAVY}; color: #FFFFFF; font-weight: 600; }}
QLabel[role="badge_todo"] {{
    background: {_T.BASE}; color: {_T.MUTED}; border: 1px solid {_T.BORDER};
}}
QLabel[role="badge_skipped"] {{
    background: #E4E8EE; color: #8A94A3; border: 1px dashed #A7B1BE;
}}
QLabel[role="rail_text_current"] {{ color: {_T.NAVY}; font-weight: 600; }}
QLabel[role="rail_text_done"] {{ color: {_T.TEXT}; }}
QLabel[role="rail_text_todo"] {{ color: {_T.MUTED}; }}
QLabel[role="rail_text_skipped"] {{ color: #8A94A3; text-decoration: line-through; }}
QLabel[role="rail_note"] {{ color: #8A5A00; font-style: italic; }}

QFrame#wizard_topbar {{ background: {_T.NAVY}; border-bottom: 3px solid {_T.GOLD}; }}
QFrame#wizard_topbar QLabel {{ color: #FFFFFF; }}
QLabel#step_counter {{ font-weight: 600; font-size: 11pt; }}
QLabel#wizard_phase {{ color: #D5DEEA; }}
QLabel#wizard_record {{ color: #D5DEEA; }}

QWidget#page_header, QWidget#page_body, QWidget#page_side {{ background: {_T.WINDOW}; }}
QScrollArea#page_scroll, QScrollArea#page_side_scroll {{ background: {_T.WINDOW}; }}
QLabel#page_title {{ font-size: 15pt; font-weight: 600; color: {_T.NAVY}; }}
QLabel#page_description {{ color: {_T.MUTED}; }}
QFrame#page_buttons {{ background: {_T.BASE}; border-top: 1px solid {_T.BORDER}; }}

QFrame[role="card"] {{
    background: {_T.BASE}; border: 1px solid {_T.BORDER}; border-radius: 6px;
}}
QFrame[role="card_drop"] {{
    background: #EEF4FB; border: 2px dashed {_T.NAVY}; border-radius: 6px;
}}
QLabel[role="card_title"] {{ color: {_T.NAVY}; font-weight: 600; font-size: 11pt; }}
QLabel[role="subheading"] {{ font-weight: 600; color: {_T.TEXT}; padding-top: 4px; }}
QLabel[role="help"], QLabel[role="summary_label"], QLabel[role="column_heading"] {{
    color: {_T.MUTED};
}}
QLabel[role="column_heading"] {{ font-weight: 600; }}
QLabel[role="error"] {{ color: {_T.ERROR}; }}
QLabel[role="lock_note"] {{ color: #6B5B2E; font-style: italic; }}
QLabel[role="value_differs"] {{ color: #9A5B00; font-weight: 600; }}
QLabel[role="roster_badge"] {{
    background: #E6EEF8; color: {_T.NAVY}; border: 1px solid #C5D9EF; border-radius: 8px;
    padding: 1px 8px; font-size: 9pt;
}}
QFrame[role="info"] {{ background: #EAF2FB; border: 1px solid #C5D9EF; border-radius: 4px; }}
QLabel[role="info_text"] {{ color: #1F3F66; }}
QFrame[role="warning"] {{ background: #FFF6E0; border: 1px solid #F0D28A; border-radius: 4px; }}
QLabel[role="warning_text"] {{ color: #6B4A00; }}
QFrame[role="problems_box"] {{
    background: {_T.ERROR_BACKGROUND}; border: 1px solid #F4C7C3; border-radius: 6px;
}}
QLabel[role="problems_box_text"] {{ color: {_T.TEXT}; }}
QFrame[role="banner_error"] {{
    background: {_T.ERROR_BACKGROUND}; border: 2px solid {_T.ERROR}; border-radius: 6px;
}}
QLabel[role="banner_error_text"] {{
    color: {_T.ERROR}; font-size: 13pt; font-weight: 600; padding: 8px;
}}
QLabel[role="problems_title"] {{ color: {_T.ERROR}; font-weight: 600; }}
QLabel#problems_list {{ color: {_T.TEXT}; }}
QPushButton[role="primary"] {{
    background: {_T.NAVY}; border: 1px solid {_T.NAVY}; color: #FFFFFF; font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {_T.NAVY_HOVER}; }}
QPushButton[role="primary"]:pressed {{ background: {_T.NAVY_PRESSED}; }}
QPushButton[role="primary"]:disabled {{ background: #8A99AD; border-color: #8A99AD; }}
QLabel[role="chip_none"], QLabel[role="chip_busy"], QLabel[role="chip_ok"],
QLabel[role="chip_fixable"], QLabel[role="chip_fail"], QLabel[role="chip_locked"] {{
    border-radius: 9px; padding: 2px 10px; font-weight: 600;
}}
QLabel[role="chip_none"] {{ background: #EEF1F5; color: {_T.MUTED}; }}
QLabel[role="chip_busy"] {{ background: #E6EEF8; color: {_T.NAVY}; }}
QLabel[role="chip_ok"], QLabel[role="chip_locked"] {{ background: #E3F2E9; color: {_T.OK}; }}
QLabel[role="chip_fixable"] {{ background: #FFF1D6; color: #8A5300; }}
QLabel[role="chip_fail"] {{ background: {_T.ERROR_BACKGROUND}; color: {_T.ERROR}; }}
QLabel[role="image_box"] {{
    background: {_T.ALTERNATE}; border: 1px dashed {_T.BORDER}; color: {_T.MUTED};
}}
QLabel[role="mark_ok"] {{ color: {_T.OK}; font-weight: 700; font-size: 12pt; }}
QLabel[role="mark_fail"] {{ color: {_T.ERROR}; font-weight: 700; font-size: 12pt; }}
QLabel[role="mark_none"] {{ color: {_T.MUTED}; font-size: 12pt; }}
QLabel[role="outcome_ms"], QLabel[role="outcome_tms"], QLabel[role="outcome_none"] {{
    border-radius: 4px; padding: 6px; font-weight: 600; font-size: 11pt;
}}
QLabel[role="outcome_ms"] {{ background: #E3F2E9; color: {_T.OK}; border: 1px solid #B7DDC6; }}
QLabel[role="outcome_tms"] {{
    background: {_T.ERROR_BACKGROUND}; color: {_T.ERROR}; border: 1px solid #F4C7C3;
}}
QLabel[role="outcome_none"] {{ background: #EEF1F5; color: {_T.MUTED}; }}
QLabel[role="big_number"] {{ font-size: 22pt; font-weight: 700; color: {_T.NAVY}; }}
QLabel[role="success_title"] {{ font-size: 15pt; font-weight: 600; color: {_T.OK}; }}
QLabel[role="captcha_image"] {{ border: 1px solid {_T.BORDER}; background: #FFFFFF; }}
QLabel[role="dialog_title"] {{ font-size: 13pt; font-weight: 600; color: {_T.NAVY}; }}
QLabel[role="checkbox_glyph"] {{ font-size: 13pt; color: {_T.NAVY}; }}
QPlainTextEdit {{
    border: 1px solid {_T.BORDER}; border-radius: 4px; background: {_T.BASE}; padding: 2px;
}}
QPlainTextEdit:focus {{ border: 1px solid {_T.NAVY}; }}
QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
    border: 1px solid {_T.ERROR}; background: {_T.ERROR_BACKGROUND};
}}
QPlainTextEdit:read-only {{ background: {_T.ALTERNATE}; color: {_T.MUTED}; }}
QCheckBox#pernyataan {{ font-weight: 600; }}
QToolButton[role="link"] {{
    color: {_T.NAVY_HOVER}; text-decoration: underline; border: none; padding: 0;
    background: transparent;
}}
"""
